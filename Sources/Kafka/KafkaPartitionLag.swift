/// How far a consumer is behind the end of one assigned partition.
public struct KafkaPartitionLag: Sendable, Hashable {
    public var topicPartition: KafkaTopicPartition
    /// The next offset the consumer will read (position, else committed, else the low mark).
    public var position: Int64
    /// The offset after the last record in the partition.
    public var highWatermark: Int64
    /// `highWatermark - position`, never negative.
    public var lag: Int64 { max(0, highWatermark - position) }
}
