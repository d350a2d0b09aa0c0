/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition. Kafka's logical offsets are negative sentinels.
public struct KafkaOffset: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    /// The oldest record still kept (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning = KafkaOffset(-2)
    /// After the newest record (`RD_KAFKA_OFFSET_END`).
    public static let end = KafkaOffset(-1)
    /// The committed offset, or `auto.offset.reset` when none (`RD_KAFKA_OFFSET_STORED`).
    public static let stored = KafkaOffset(-1000)
    /// No offset known (`RD_KAFKA_OFFSET_INVALID`), e.g. nothing committed yet.
    public static let invalid = KafkaOffset(-1001)

    /// A real position (not a sentinel).
    public var isConcrete: Bool { rawValue >= 0 }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch rawValue {
        case -2: return "beginning"
        case -1: return "end"
        case -1000: return "stored"
        case -1001: return "invalid"
        default: return String(rawValue)
        }
    }
}

/// A partition with an offset: a commit, a seek target, a committed or current position.
///
/// For commits the offset is the next record to read (last processed offset + 1), as in Kafka.
public struct KafkaTopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topicPartition: KafkaTopicPartition
    public var offset: KafkaOffset
    /// Set when librdkafka reported a per-partition error (e.g. for a failed commit).
    public var error: KafkaError?

    public init(topic: String, partition: Int32, offset: KafkaOffset) {
        self.topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        self.offset = offset
        self.error = nil
    }

    public init(_ topicPartition: KafkaTopicPartition, offset: KafkaOffset, error: KafkaError? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.error = error
    }

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }

    public var description: String { "\(topicPartition)@\(offset)" }
}
