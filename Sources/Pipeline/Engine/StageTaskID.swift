import Kafka

/// Names one task: a stage and the input partition it owns.
public struct StageTaskID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The stage name (the `driftline.stage` header of its dead letters).
    public var stage: String
    /// The input partition this task owns.
    public var topicPartition: KafkaTopicPartition

    public init(stage: String, topicPartition: KafkaTopicPartition) {
        self.stage = stage
        self.topicPartition = topicPartition
    }

    public var topic: String { topicPartition.topic }
    public var partition: Int32 { topicPartition.partition }

    public static func < (a: Self, b: Self) -> Bool {
        (a.stage, a.topicPartition) < (b.stage, b.topicPartition)
    }

    public var description: String { "\(stage)/\(topicPartition)" }
}
