import Kafka

/// The runner's ``StateRestorer``: whole-topic reads go to its ``KafkaStateRestorer``; a topic a
/// task follows with `records(in:after:)` (the learner reads the drift alerts once per second
/// of stream time, in every task) is read whole once, then kept current by one long-lived
/// consumer polled without waiting.
///
/// Following through the `KafkaStateRestorer` created a client, asked the broker for metadata
/// and watermarks and closed the client for every task every second: hundreds of
/// milliseconds each on the runner's thread, which held every partition's records back
/// (`bench pipeline`'s latency: p50 4–7 s at 10k events/s). Records produced to a followed
/// topic show up at the next call after the follower's fetch brought them (about
/// `fetch.wait.max.ms`), as they would for any consumer.
///
/// Used on the runner's thread only.
final class FollowingStateRestorer: StateRestorer {
    let base: KafkaStateRestorer
    private var followed: [String: Follower] = [:]

    /// One followed topic: everything read so far, per partition in offset order.
    private final class Follower {
        let consumer: KafkaConsumer
        var records: [Int32: [KafkaConsumerRecord]]

        init(consumer: KafkaConsumer, records: [Int32: [KafkaConsumerRecord]]) {
            self.consumer = consumer
            self.records = records
        }

        /// Takes what the consumer has fetched, without waiting.
        func catchUp() throws {
            while true {
                let batch = try consumer.poll(maxRecords: 10_000, timeout: .zero)
                if batch.isEmpty { return }
                for record in batch { records[record.partition, default: []].append(record) }
            }
        }
    }

    init(base: KafkaStateRestorer) {
        self.base = base
    }

    func records(in topic: String) throws -> [KafkaConsumerRecord] {
        try base.records(in: topic)
    }

    func latestRecord(in topic: String, key: [UInt8]) throws -> KafkaConsumerRecord? {
        try base.latestRecord(in: topic, key: key)
    }

    func records(in topic: String, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord] {
        let follower: Follower
        if let known = followed[topic] {
            follower = known
            try follower.catchUp()
        } else {
            guard let started = try follow(topic) else { return try base.records(in: topic, after: next) }
            follower = started
        }
        return follower.records.keys.sorted().flatMap { partition in
            let from = next[partition, default: 0]
            return follower.records[partition]!.filter { $0.offset >= from }
        }
    }

    /// Reads `topic` whole, then assigns a consumer after the last record of each partition;
    /// nil when the topic does not exist (yet).
    private func follow(_ topic: String) throws -> Follower? {
        var configuration = base.configuration
        configuration.properties.merge(StageRunnerConfiguration.stageConsumerProperties) { configured, _ in configured }
        let consumer = try KafkaConsumer(configuration: configuration)
        guard let metadata = try consumer.metadata(timeout: base.timeout).topic(topic), metadata.error == nil,
            !metadata.partitions.isEmpty
        else {
            try? consumer.close()
            return nil
        }
        var records: [Int32: [KafkaConsumerRecord]] = [:]
        for record in try base.records(in: topic) { records[record.partition, default: []].append(record) }
        try consumer.assign(
            metadata.partitions.map(\.id).sorted().map { partition in
                let after = records[partition]?.last.map { KafkaOffset($0.offset + 1) } ?? .beginning
                return KafkaTopicPartitionOffset(KafkaTopicPartition(topic: topic, partition: partition), offset: after)
            })
        let follower = Follower(consumer: consumer, records: records)
        followed[topic] = follower
        return follower
    }

    /// Closes the followers' consumers.
    func close() {
        for topic in followed.keys.sorted() { try? followed[topic]?.consumer.close() }
        followed = [:]
    }
}
