import Kafka

/// Reads a topic from its low watermark to its end with a plain consumer (manual
/// assignment, no group membership, no commits): the ``StateRestorer`` of ``StageRunner``.
///
/// Blocking: call it on the runner's thread. While `isCaching`, a topic is read once and
/// shared by every task restored in the same rebalance.
public final class KafkaStateRestorer: StateRestorer {
    let configuration: KafkaConsumerConfiguration
    let timeout: Duration
    /// How long the end of a topic must stay quiet after the high marks were reached.
    let settleTime: Duration
    private var cache: [String: [KafkaConsumerRecord]] = [:]
    /// Keep what was read until `isCaching` is set to false.
    public var isCaching = false {
        didSet { if !isCaching { cache = [:] } }
    }

    /// - Parameters:
    ///   - configuration: the cluster and client settings to read with; its group id is only
    ///     used to name the client (nothing is committed).
    ///   - timeout: the longest a read of one topic may take.
    ///   - settleTime: after reaching the high marks, how long to wait for further records
    ///     (brokers that under-report the high mark).
    public init(
        configuration: KafkaConsumerConfiguration, timeout: Duration = .seconds(60),
        settleTime: Duration = .milliseconds(200)
    ) {
        var configuration = configuration
        configuration.groupID += ".restore"
        configuration.isolationLevel = .readCommitted
        configuration.queuedMinMessages = 10_000
        // A model document can be tens of MB: one fetch must be able to return it.
        for (key, value) in ModelRecordLimits.readerProperties where configuration.properties[key] == nil {
            configuration.properties[key] = value
        }
        self.configuration = configuration
        self.timeout = timeout
        self.settleTime = settleTime
    }

    /// The records of `topic` read during the current caching period, if any.
    func cachedRecords(in topic: String) -> [KafkaConsumerRecord]? { cache[topic] }

    public func records(in topic: String) throws -> [KafkaConsumerRecord] {
        if let cached = cache[topic] { return cached }
        let records = try records(in: topic, after: [:])
        if isCaching { cache[topic] = records }
        return records
    }

    /// Reads only what lies past `next` in each partition (from the low mark where `next` has
    /// none: ``records(in:)`` reads the whole topic so): one metadata and watermark query
    /// when nothing is new (no settle wait), so a task may ask often (e.g. the learner
    /// following the drift alerts once per second).
    public func records(in topic: String, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord] {
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
            let start = max(marks.low, next[partition, default: 0])
            guard marks.high > start else { continue }
            ends[topicPartition] = marks.high
            starts.append(KafkaTopicPartitionOffset(topicPartition, offset: KafkaOffset(start)))
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
                byPartition[record.topicPartition, default: []].append(record)
                if record.offset >= (ends[record.topicPartition] ?? 0) - 1 { unfinished.remove(record.topicPartition) }
            }
            // Records can be gone below the high mark (transaction markers, compaction): a
            // position at the end also finishes a partition.
            for position in try consumer.position(unfinished.sorted())
            where position.offset.isConcrete && position.offset.rawValue >= ends[position.topicPartition] ?? 0 {
                unfinished.remove(position.topicPartition)
            }
        }
        // Some brokers under-report the high mark (Tansu 0.6 reports the last batch's base
        // offset + 1): keep reading until the partitions stay quiet for `settleTime`.
        while ContinuousClock.now < deadline {
            let more = try consumer.poll(maxRecords: 10_000, timeout: settleTime)
            if more.isEmpty { break }
            for record in more { byPartition[record.topicPartition, default: []].append(record) }
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
