/// One record read by a `KafkaConsumer`.
public struct KafkaConsumerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// nil when the record has no key.
    public var key: [UInt8]?
    /// The payload; empty for a tombstone (see `isTombstone`).
    public var value: [UInt8]
    /// True when the record's value is null (a delete marker on compacted topics).
    public var isTombstone: Bool
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch (create or log-append time), nil when not available.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
        isTombstone: Bool = false, headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.isTombstone = isTombstone
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    /// The offset to commit once this record is processed (its offset + 1).
    public var nextOffset: KafkaTopicPartitionOffset {
        KafkaTopicPartitionOffset(topic: topic, partition: partition, offset: KafkaOffset(offset + 1))
    }

    /// The key decoded as UTF-8.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value decoded as UTF-8.
    public var valueString: String { String(decoding: value, as: UTF8.self) }
}
