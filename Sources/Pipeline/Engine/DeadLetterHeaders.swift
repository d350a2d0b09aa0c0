import Kafka

/// The headers the engine adds to a dead-lettered record. The record itself (key, value,
/// original headers, timestamp) is copied unchanged; these come after the original headers.
public enum DeadLetterHeaders {
    /// The stage that could not handle the record.
    public static let stage = "driftline.stage"
    /// Why: the ``StageRejection`` reason or the error's description.
    public static let error = "driftline.error"
    /// The topic the record was read from.
    public static let sourceTopic = "driftline.source.topic"
    /// The partition it was read from, in decimal.
    public static let sourcePartition = "driftline.source.partition"
    /// Its offset there, in decimal.
    public static let sourceOffset = "driftline.source.offset"

    /// All five names, in the order they are added.
    public static let all = [stage, error, sourceTopic, sourcePartition, sourceOffset]

    /// The dead letter for `input`: the input unchanged plus the five headers.
    public static func deadLetter(for input: KafkaConsumerRecord, stage: String, error: String) -> StageRecord {
        deadLetter(
            for: StageRecord(input), from: SourcePosition(topic: input.topic, partition: input.partition, offset: input.offset),
            stage: stage, error: error)
    }

    /// The dead letter for `input` read at `source`: the input unchanged (its partition left
    /// to the key) plus the five headers.
    public static func deadLetter(for input: StageRecord, from source: SourcePosition, stage: String, error: String) -> StageRecord {
        var record = input
        record.partition = nil
        record.headers.append(KafkaHeader(name: Self.stage, string: stage))
        record.headers.append(KafkaHeader(name: Self.error, string: error))
        record.headers.append(KafkaHeader(name: sourceTopic, string: source.topic))
        record.headers.append(KafkaHeader(name: sourcePartition, string: String(source.partition)))
        record.headers.append(KafkaHeader(name: sourceOffset, string: String(source.offset)))
        return record
    }
}
