import Kafka

/// A record a stage receives or emits: key, value, headers and timestamp, as in Kafka
/// Streams' `Record`. Where an input came from is in ``StageContext/source``.
public struct StageRecord: Sendable, Hashable {
    /// nil when the record has no key.
    public var key: [UInt8]?
    /// nil for a tombstone (a delete marker on compacted topics).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch; nil when unknown. Inputs' timestamps drive stream
    /// time. Outputs without one get the broker's (create) time.
    public var timestampMilliseconds: Int64?
    /// For outputs: the partition to write to; nil lets the key choose (default partitioner).
    public var partition: Int32?

    public init(
        key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil, partition: Int32? = nil
    ) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.partition = partition
    }

    /// A record with UTF-8 key and value.
    public init(
        key: String?, value: String, headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil, partition: Int32? = nil
    ) {
        self.init(
            key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers,
            timestampMilliseconds: timestampMilliseconds, partition: partition)
    }

    /// The record a consumer read (partition left nil: outputs choose their own).
    public init(_ record: KafkaConsumerRecord) {
        self.init(
            key: record.key, value: record.isTombstone ? nil : record.value, headers: record.headers,
            timestampMilliseconds: record.timestampMilliseconds)
    }

    /// The key decoded as UTF-8.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value decoded as UTF-8 (empty for a tombstone).
    public var valueString: String { value.map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
