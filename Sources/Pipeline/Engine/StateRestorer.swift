import Kafka

/// Reads a topic from the beginning up to its current end, so a task can restore what a
/// predecessor checkpointed there (e.g. the latest model document on the models topic)
/// before it processes any record.
///
/// The runner's ``KafkaStateRestorer`` reads with a plain consumer (manual assignment, no
/// group); the ``TopologyTestDriver`` reads its in-memory topics. Reading is blocking: it runs
/// on the runner's own thread, never on Swift's cooperative pool.
public protocol StateRestorer {
    /// Every record of `topic` up to its end, partition by partition in offset order. An
    /// unknown topic has no records.
    func records(in topic: String) throws -> [KafkaConsumerRecord]

    /// The last record with `key` in `topic` (the highest offset of the partition holding the
    /// key; the latest timestamp if several partitions hold it), or nil.
    func latestRecord(in topic: String, key: [UInt8]) throws -> KafkaConsumerRecord?

    /// The records of `topic` at or after `next[partition]` (0 for partitions not listed), up
    /// to its end: what a task following a control topic (e.g. the learner reading drift
    /// alerts) has not seen yet. Cheap when nothing is new.
    func records(in topic: String, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord]
}

extension StateRestorer {
    public func records(in topic: String, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord] {
        try records(in: topic).filter { $0.offset >= next[$0.partition, default: 0] }
    }

    public func latestRecord(in topic: String, key: [UInt8]) throws -> KafkaConsumerRecord? {
        Self.latest(in: try records(in: topic), key: key)
    }

    /// The record `latestRecord` picks among `records` (in partition, offset order).
    static func latest(in records: [KafkaConsumerRecord], key: [UInt8]) -> KafkaConsumerRecord? {
        var best: KafkaConsumerRecord?
        for record in records where record.key == key {
            guard let current = best else {
                best = record
                continue
            }
            if record.partition == current.partition {
                if record.offset > current.offset { best = record }
            } else if (record.timestampMilliseconds ?? .min) > (current.timestampMilliseconds ?? .min) {
                best = record
            }
        }
        return best
    }
}
