import Kafka

/// Knows, per input partition, the highest offset whose outputs are all delivered: what the
/// runner may commit (at-least-once).
///
/// Every input record handled gets a tag; its outputs are enqueued with that tag and the
/// producer's delivery reports bring the tag back. Inputs are kept per partition in offset
/// order until all their outputs are delivered; the committable offset of a partition is the
/// oldest input still waiting, or the offset after the last input handled.
///
/// Cheap per record: a tag is the partition's ``Progress`` id and the input's position in that
/// partition's queue, so neither an input nor a delivery report needs a hash lookup keyed by
/// topic name (the runner keeps each partition's `Progress` beside its task).
struct DeliveryTracker {
    /// Outputs not produced on behalf of an input (punctuations, restore, close) use this tag:
    /// they count as in flight but hold back no offset.
    static let untracked: UInt64 = 0
    /// Tag layout: `id << sequenceBits | sequence`; ids count assignments (2^19 before they
    /// wrap), sequences count a partition's inputs with outputs (2^44 per assignment).
    static let sequenceBits: UInt64 = 44
    static let sequenceMask: UInt64 = (1 << sequenceBits) - 1

    struct PendingInput {
        var offset: Int64
        /// Outputs still in flight.
        var remaining: Int32
        /// An output of it failed: the input is never passed.
        var failed: Bool
    }

    /// One assigned partition's inputs with outputs in flight. Touched per input and per
    /// delivery, only by the tracker's owner on its thread, each access a plain read, write or
    /// element update: exempt from dynamic exclusivity checks.
    final class Progress {
        let partition: KafkaTopicPartition
        let id: UInt64
        /// Inputs with outputs in flight, in offset order; `head` skips finished ones.
        @exclusivity(unchecked) var pending: [PendingInput] = []
        @exclusivity(unchecked) var head = 0
        /// The sequence of `pending[0]`.
        @exclusivity(unchecked) var base: UInt64 = 0
        /// Offset after the last input handled.
        @exclusivity(unchecked) var handledNext: Int64?

        init(partition: KafkaTopicPartition, id: UInt64) {
            self.partition = partition
            self.id = id
        }

        /// The tag the next entry of `pending` gets.
        var nextTag: UInt64 { id << DeliveryTracker.sequenceBits | (base + UInt64(pending.count)) }

        /// Moves `head` past the inputs whose outputs are all delivered (never past a failed
        /// one) and drops them from `pending` once they are most of it. Runs as their last
        /// reports come in, not only at a commit: a commit comes every second, and a stage
        /// working through a backlog handles ~100k inputs in that time — `pending` grew to hold
        /// them all, 16 bytes each, and an array keeps its largest capacity (~2 MB of a
        /// 16-partition learner's or transform's RSS, for good).
        @inline(__always)
        func dropFinished() {
            while head < pending.count, pending[head].remaining <= 0, !pending[head].failed {
                head += 1
            }
            if head >= DeliveryTracker.dropThreshold && head * 2 > pending.count {
                pending.removeFirst(head)
                base += UInt64(head)
                head = 0
            }
        }
    }

    /// Finished inputs at the head of a partition's `pending` are removed once there are this
    /// many and they are more than half of it: each removal moves at most as many entries as
    /// it drops.
    static let dropThreshold = 256

    private var nextID: UInt64 = 1
    private var partitions: [KafkaTopicPartition: Progress] = [:]
    private var byID: [UInt64: Progress] = [:]
    /// The progress the last report was for: reports come in runs of one input partition.
    private var lastReported: Progress?
    /// Outputs enqueued and not yet reported.
    private(set) var inFlight = 0
    /// Delivery failures seen (the runner stops on the first).
    private(set) var failures: [KafkaDeliveryReport] = []

    /// The progress of `partition`, created on first use (kept by the runner beside the task).
    mutating func progress(_ partition: KafkaTopicPartition) -> Progress {
        if let known = partitions[partition] { return known }
        let progress = Progress(partition: partition, id: nextID)
        nextID = nextID == (1 << (64 - Self.sequenceBits - 1)) - 1 ? 1 : nextID + 1
        partitions[partition] = progress
        byID[progress.id] = progress
        return progress
    }

    /// Registers an input about to be processed; returns the tag for its outputs.
    func begin(offset: Int64, in progress: Progress) -> UInt64 {
        progress.handledNext = offset + 1
        return progress.nextTag
    }

    /// Registers `input` (looking its partition up); returns the tag for its outputs.
    mutating func begin(_ input: KafkaConsumerRecord) -> UInt64 {
        begin(offset: input.offset, in: progress(input.topicPartition))
    }

    /// A tag for outputs a task emits outside `process` (punctuations, restore, checkpoint):
    /// they hold the partition's commit at the offset after the last input handled until
    /// they are delivered, so a crash before delivery replays from there. Untracked when the
    /// partition has handled no input yet (nothing of it can be committed then).
    func barrier(_ partition: KafkaTopicPartition) -> (tag: UInt64, offset: Int64?) {
        guard let progress = partitions[partition], let next = progress.handledNext else { return (Self.untracked, nil) }
        return (progress.nextTag, next)
    }

    /// Counts one output enqueued with `tag` on behalf of the input at `offset` of
    /// `partition`; the first output of an input puts it in line.
    mutating func enqueued(tag: UInt64, partition: KafkaTopicPartition, offset: Int64?) {
        guard tag != Self.untracked, let progress = partitions[partition] else {
            inFlight += 1
            return
        }
        enqueued(tag: tag, progress: progress, offset: offset)
    }

    /// `enqueued(tag:partition:offset:)` with the partition's progress at hand.
    mutating func enqueued(tag: UInt64, progress: Progress, offset: Int64?) {
        inFlight += 1
        guard tag != Self.untracked, let offset else { return }
        let sequence = tag & Self.sequenceMask
        let index = Int(sequence &- progress.base)
        if index == progress.pending.count {
            progress.pending.append(PendingInput(offset: offset, remaining: 1, failed: false))
        } else {
            progress.pending[index].remaining += 1
        }
    }

    /// Takes a delivery report.
    mutating func delivered(_ report: KafkaDeliveryReport) {
        if report.error != nil { failures.append(report) }
        delivered(tag: report.deliveryTag ?? Self.untracked, failed: report.error != nil)
    }

    /// Takes the reports of outputs delivered without error.
    mutating func delivered(tags: [UInt64]) {
        // Runs of one partition's tags: its progress is found once per run and borrowed
        // (a retain and release of `lastReported` per tag cost ~1.5% of a no-op stage's thread).
        var index = 0
        while index < tags.count {
            let id = tags[index] >> Self.sequenceBits
            guard tags[index] != Self.untracked, let progress = lastReported?.id == id ? lastReported : byID[id] else {
                delivered(tag: tags[index])
                index += 1
                continue
            }
            lastReported = progress
            while index < tags.count, tags[index] != Self.untracked, tags[index] >> Self.sequenceBits == id {
                inFlight -= 1
                Self.count(delivery: tags[index], failed: false, in: progress)
                index += 1
            }
        }
    }

    /// Takes the report of the output tagged `tag`.
    mutating func delivered(tag: UInt64, failed: Bool = false) {
        inFlight -= 1
        guard tag != Self.untracked else { return }
        let id = tag >> Self.sequenceBits
        let progress: Progress
        if let last = lastReported, last.id == id {
            progress = last
        } else {
            guard let found = byID[id] else { return }
            lastReported = found
            progress = found
        }
        Self.count(delivery: tag, failed: failed, in: progress)
    }

    /// Counts down the input of the output tagged `tag` of `progress`.
    @inline(__always)
    private static func count(delivery tag: UInt64, failed: Bool, in progress: Progress) {
        let sequence = tag & Self.sequenceMask
        guard sequence >= progress.base else { return }
        let index = Int(sequence - progress.base)
        guard index < progress.pending.count else { return }
        progress.pending[index].remaining -= 1
        if failed { progress.pending[index].failed = true }
        if index == progress.head { progress.dropFinished() }
    }

    /// The offset to commit for `partition` (next to read), or nil when nothing was handled.
    /// After a failed delivery the failed input is never passed.
    func committable(_ partition: KafkaTopicPartition) -> Int64? {
        guard let progress = partitions[partition] else { return nil }
        progress.dropFinished()
        if progress.head < progress.pending.count { return progress.pending[progress.head].offset }
        return progress.handledNext
    }

    /// Partitions with handled inputs, sorted.
    var trackedPartitions: [KafkaTopicPartition] { partitions.keys.sorted() }

    /// Forgets a partition (revoked, or rewound by a restore that resumes elsewhere). Reports
    /// still to come for it are ignored (they only count down `inFlight`).
    mutating func forget(_ partition: KafkaTopicPartition) {
        guard let progress = partitions.removeValue(forKey: partition) else { return }
        byID[progress.id] = nil
        if lastReported === progress { lastReported = nil }
    }
}
