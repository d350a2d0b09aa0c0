import Kafka

/// Reads a topic from its low to its high watermark with a plain consumer (manual
/// assignment, no group membership, no commits): the ``StateRestorer`` of ``StageRunner``.
///
/// Blocking: call it on the runner's thread. While `isCaching`, a topic is read once and
/// shared by every task restored in the same rebalance.
public final class KafkaStateRestorer: StateRestorer {
    private let configuration: KafkaConsumerConfiguration
    private let timeout: Duration
    private var cache: [String: [KafkaConsumerRecord]] = [:]
    /// Keep what was read until `isCaching` is set to false.
    public var isCaching = false {
        didSet { if !isCaching { cache = [:] } }
    }

    /// - Parameters:
    ///   - configuration: the cluster and client settings to read with; its group id is only
    ///     used to name the client (nothing is committed).
    ///   - timeout: the longest a read of one topic may take.
    public init(configuration: KafkaConsumerConfiguration, timeout: Duration = .seconds(60)) {
        var configuration = configuration
        configuration.groupID += ".restore"
        configuration.isolationLevel = .readCommitted
        configuration.queuedMinMessages = 10_000
        self.configuration = configuration
        self.timeout = timeout
    }

    public func records(in topic: String) throws -> [KafkaConsumerRecord] {
        if let cached = cache[topic] { return cached }
        let records = try read(topic)
        if isCaching { cache[topic] = records }
        return records
    }

    private func read(_ topic: String) throws -> [KafkaConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        guard let metadata = try consumer.metadata(timeout: timeout).topic(topic), metadata.error == nil else {
            return []
        }
        var ends: [KafkaTopicPartition: Int64] = [:]
        var starts: [KafkaTopicPartitionOffset] = []
        for partition in metadata.partitions.map(\.id).sorted() {
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
            let marks = try consumer.watermarks(topicPartition, timeout: timeout)
            guard marks.high > marks.low else { continue }
            ends[topicPartition] = marks.high
            starts.append(KafkaTopicPartitionOffset(topicPartition, offset: KafkaOffset(marks.low)))
        }
        guard !starts.isEmpty else { return [] }
        try consumer.assign(starts)
        var byPartition: [KafkaTopicPartition: [KafkaConsumerRecord]] = [:]
        var unfinished = Set(ends.keys)
        let deadline = ContinuousClock.now + timeout
        while !unfinished.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw StageRestoreTimeout(topic: topic, unfinished: unfinished.sorted())
            }
            for record in try consumer.poll(maxRecords: 10_000, timeout: .milliseconds(100)) {
                let end = ends[record.topicPartition] ?? 0
                guard record.offset < end else { continue }
                byPartition[record.topicPartition, default: []].append(record)
                if record.offset == end - 1 { unfinished.remove(record.topicPartition) }
            }
            // Records can be gone below the high mark (transaction markers, compaction): a
            // position at the end also finishes a partition.
            for position in try consumer.position(unfinished.sorted())
            where position.offset.isConcrete && position.offset.rawValue >= ends[position.topicPartition] ?? 0 {
                unfinished.remove(position.topicPartition)
            }
        }
        return byPartition.keys.sorted().flatMap { byPartition[$0]! }
    }
}

/// A restore read did not reach the end of a topic in time.
public struct StageRestoreTimeout: Error, Sendable, CustomStringConvertible {
    public var topic: String
    public var unfinished: [KafkaTopicPartition]

    public var description: String {
        "restoring from \(topic) timed out before the end of \(unfinished.map(\.description).joined(separator: ", "))"
    }
}
