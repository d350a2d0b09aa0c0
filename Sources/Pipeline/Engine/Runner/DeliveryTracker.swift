import Kafka

/// Knows, per input partition, the highest offset whose outputs are all delivered: what the
/// runner may commit (at-least-once).
///
/// Every input record handled gets a tag; its outputs are enqueued with that tag and the
/// producer's delivery reports bring the tag back. Inputs are kept per partition in offset
/// order until all their outputs are delivered; the committable offset of a partition is the
/// oldest input still waiting, or the offset after the last input handled.
struct DeliveryTracker {
    /// Outputs not produced on behalf of an input (punctuations, restore, close) use this tag:
    /// they count as in flight but hold back no offset.
    static let untracked: UInt64 = 0

    private struct PendingInput {
        var offset: Int64
        var tag: UInt64
    }

    private struct PartitionProgress {
        /// Inputs with outputs in flight, in offset order; `head` skips finished ones.
        var pending: [PendingInput] = []
        var head = 0
        /// Offset after the last input handled.
        var handledNext: Int64?
    }

    private var nextTag: UInt64 = 1
    /// Outputs still in flight per input tag.
    private var remaining: [UInt64: Int] = [:]
    private var partitions: [KafkaTopicPartition: PartitionProgress] = [:]
    /// Outputs enqueued and not yet reported.
    private(set) var inFlight = 0
    /// Delivery failures seen (the runner stops on the first).
    private(set) var failures: [KafkaDeliveryReport] = []

    /// Registers an input about to be processed; returns the tag for its outputs.
    mutating func begin(_ input: KafkaConsumerRecord) -> UInt64 {
        let tag = nextTag
        nextTag += 1
        partitions[input.topicPartition, default: PartitionProgress()].handledNext = input.offset + 1
        return tag
    }

    /// A tag for outputs a task emits outside `process` (punctuations, restore, checkpoint):
    /// they hold the partition's commit at the offset after the last input handled until
    /// they are delivered, so a crash before delivery replays from there. Untracked when the
    /// partition has handled no input yet (nothing of it can be committed then).
    mutating func barrier(_ partition: KafkaTopicPartition) -> (tag: UInt64, offset: Int64?) {
        guard let next = partitions[partition]?.handledNext else { return (Self.untracked, nil) }
        let tag = nextTag
        nextTag += 1
        return (tag, next)
    }

    /// Counts one output enqueued with `tag` on behalf of the input at `offset` of
    /// `partition`; the first output of an input puts it in line.
    mutating func enqueued(tag: UInt64, partition: KafkaTopicPartition, offset: Int64?) {
        inFlight += 1
        guard tag != Self.untracked, let offset else { return }
        if let count = remaining[tag] {
            remaining[tag] = count + 1
        } else {
            remaining[tag] = 1
            partitions[partition, default: PartitionProgress()].pending.append(PendingInput(offset: offset, tag: tag))
        }
    }

    /// Takes a delivery report.
    mutating func delivered(_ report: KafkaDeliveryReport) {
        inFlight -= 1
        if report.error != nil { failures.append(report) }
        guard let tag = report.deliveryTag, tag != Self.untracked, let count = remaining[tag] else { return }
        if count <= 1 {
            remaining[tag] = nil
        } else {
            remaining[tag] = count - 1
        }
    }

    /// The offset to commit for `partition` (next to read), or nil when nothing was handled.
    /// After a failed delivery the failed input is never passed.
    mutating func committable(_ partition: KafkaTopicPartition) -> Int64? {
        guard var progress = partitions[partition] else { return nil }
        while progress.head < progress.pending.count, remaining[progress.pending[progress.head].tag] == nil,
            !failures.contains(where: { $0.deliveryTag == progress.pending[progress.head].tag })
        {
            progress.head += 1
        }
        if progress.head > 1024 && progress.head * 2 > progress.pending.count {
            progress.pending.removeFirst(progress.head)
            progress.head = 0
        }
        partitions[partition] = progress
        if progress.head < progress.pending.count { return progress.pending[progress.head].offset }
        return progress.handledNext
    }

    /// Partitions with handled inputs, sorted.
    var trackedPartitions: [KafkaTopicPartition] { partitions.keys.sorted() }

    /// Forgets a partition (revoked, or rewound by a restore that resumes elsewhere).
    mutating func forget(_ partition: KafkaTopicPartition) {
        guard let progress = partitions.removeValue(forKey: partition) else { return }
        for input in progress.pending[progress.head...] { remaining[input.tag] = nil }
    }
}
