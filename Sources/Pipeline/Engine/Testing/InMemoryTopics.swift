import Kafka

/// The topics of a ``TopologyTestDriver``: partitions as arrays, offsets from 0, and the
/// ``StateRestorer`` its tasks restore from. Deterministic: keyed records go to the partition
/// of a stable hash of the key (FNV-1a), keyless ones round-robin.
public final class InMemoryTopics: StateRestorer {
    private var partitionsByTopic: [String: [[KafkaConsumerRecord]]] = [:]
    /// Next partition for a keyless record, per topic.
    private var roundRobin: [String: Int32] = [:]
    /// Partitions of topics created implicitly by writing to them.
    public let defaultPartitions: Int

    public init(defaultPartitions: Int = 1) {
        self.defaultPartitions = max(1, defaultPartitions)
    }

    /// Creates `name` with `partitions` partitions; an existing topic keeps its records and
    /// grows to `partitions` if it had fewer.
    public func create(_ name: String, partitions: Int) {
        var current = partitionsByTopic[name] ?? []
        while current.count < max(1, partitions) { current.append([]) }
        partitionsByTopic[name] = current
    }

    /// Topic names, sorted.
    public var names: [String] { partitionsByTopic.keys.sorted() }

    /// Partition count of `topic` (0 when it does not exist).
    public func partitionCount(of topic: String) -> Int { partitionsByTopic[topic]?.count ?? 0 }

    /// The records of one partition, in offset order.
    public func records(in topic: String, partition: Int32) -> [KafkaConsumerRecord] {
        guard let partitions = partitionsByTopic[topic], Int(partition) < partitions.count, partition >= 0 else {
            return []
        }
        return partitions[Int(partition)]
    }

    /// Every record of `topic`, partition by partition in offset order.
    public func records(in topic: String) -> [KafkaConsumerRecord] {
        (partitionsByTopic[topic] ?? []).flatMap { $0 }
    }

    /// The end offset (next offset to be written) of a partition.
    public func endOffset(of topic: String, partition: Int32) -> Int64 {
        Int64(records(in: topic, partition: partition).count)
    }

    /// Appends `record`, creating the topic if needed. The partition is the record's, else the
    /// key's hash, else round-robin. A record without a timestamp gets `timestampMilliseconds`.
    @discardableResult
    public func append(_ record: StageRecord, to topic: String, timestampMilliseconds: Int64) -> KafkaConsumerRecord {
        if partitionsByTopic[topic] == nil { create(topic, partitions: defaultPartitions) }
        let count = Int32(partitionsByTopic[topic]!.count)
        let partition: Int32
        if let explicit = record.partition {
            precondition(explicit >= 0 && explicit < count, "partition \(explicit) of \(topic) does not exist")
            partition = explicit
        } else if let key = record.key {
            partition = Int32(Self.fnv1a(key) % UInt32(count))
        } else {
            partition = roundRobin[topic, default: 0] % count
            roundRobin[topic] = (partition + 1) % count
        }
        let stored = KafkaConsumerRecord(
            topic: topic, partition: partition,
            offset: Int64(partitionsByTopic[topic]![Int(partition)].count),
            key: record.key, value: record.value ?? [], isTombstone: record.value == nil,
            headers: record.headers, timestampMilliseconds: record.timestampMilliseconds ?? timestampMilliseconds)
        partitionsByTopic[topic]![Int(partition)].append(stored)
        return stored
    }

    /// 32-bit FNV-1a: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}
