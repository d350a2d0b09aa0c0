import Kafka

/// Headers of a model-topic record (the value is the model document): where the learner was
/// in its input when it took the document, so a successor resumes exactly there. Positions
/// are not part of the document, so they never change its content hash.
public enum ModelRecordHeaders {
    /// The learner's input (features) topic, partition and the offset after the last record
    /// the document accounts for: `TOPIC`, `PARTITION`, `OFFSET` in decimal.
    public static let inputTopic = "driftline.input.topic"
    public static let inputPartition = "driftline.input.partition"
    public static let inputNextOffset = "driftline.input.next_offset"
    /// Per source (events) partition, the offset after the last event the document accounts
    /// for: `TOPIC:PARTITION:OFFSET` entries joined by `,` (the transform resumes there; the
    /// learner skips duplicates below it).
    public static let sourceNextOffsets = "driftline.source.next_offsets"
    /// With `on_drift`: per alerts partition, the offset after the last alert the learner had
    /// read when it took the document (`TOPIC:PARTITION:OFFSET,…`), so a restored learner
    /// neither applies an alert twice nor skips one.
    public static let alertsNextOffsets = "driftline.alerts.next_offsets"
    /// `version`, `checkpoint` (a version in progress), `reset` or `promotion`.
    public static let reason = "driftline.publish.reason"

    /// One source partition's next offset.
    public struct SourceNext: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64

        public init(topic: String, partition: Int32, offset: Int64) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
        }
    }

    static func encode(_ entries: [SourceNext]) -> String {
        entries.map { "\($0.topic):\($0.partition):\($0.offset)" }.joined(separator: ",")
    }

    static func decode(_ text: String) -> [SourceNext] {
        text.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: ":")
            guard parts.count >= 3, let partition = Int32(parts[parts.count - 2]), let offset = Int64(parts[parts.count - 1])
            else { return nil }
            return SourceNext(topic: parts.dropLast(2).joined(separator: ":"), partition: partition, offset: offset)
        }
    }

    static func value(_ name: String, in headers: [KafkaHeader]) -> String? {
        headers.last { $0.name == name }.flatMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
    }
}
