import Kafka
import OnlineML

/// The versions of one model as recorded on the models topic: for each version the last
/// document published for it (a completed version wins over checkpoints of the version while
/// it was in progress), why it was published, and the chain version → parent → ….
public struct ModelLineage: Sendable {
    public struct Entry: Sendable {
        public var document: ModelDocument
        /// `driftline.publish.reason`: version, checkpoint, reset or promotion.
        public var reason: String
        public var topic: String
        public var partition: Int32
        public var offset: Int64
    }

    /// Per version, oldest first.
    public private(set) var entries: [Entry] = []

    /// Reads the documents of `key` from the models topic's `records` (in topic order).
    public init(key: String, records: [KafkaConsumerRecord]) throws {
        let keyBytes = Array(key.utf8)
        for record in records where record.key == keyBytes && !record.isTombstone {
            let document = try ModelDocument(decoding: String(decoding: record.value, as: UTF8.self))
            let reason = record.headers.last { $0.name == ModelRecordHeaders.reason }?.stringValue ?? "version"
            let entry = Entry(
                document: document, reason: reason, topic: record.topic, partition: record.partition, offset: record.offset)
            if let index = entries.firstIndex(where: { $0.document.version == document.version }) {
                // A completed version is final; checkpoints of it before completion are not.
                if entries[index].reason == "checkpoint" || reason != "checkpoint" { entries[index] = entry }
            } else {
                entries.append(entry)
            }
        }
        entries.sort { $0.document.version < $1.document.version }
    }

    public func entry(version: Int) -> Entry? {
        entries.first { $0.document.version == version }
    }

    /// `version` and its ancestors by `parent_version`, newest first.
    public func chain(from version: Int) -> [Entry] {
        var result: [Entry] = []
        var next: Int? = version
        while let current = next, let entry = entry(version: current), !result.contains(where: { $0.document.version == current }) {
            result.append(entry)
            next = entry.document.parentVersion
        }
        return result
    }

    /// The `on_drift` actions the documents of versions up to `version` record, in input
    /// order: what a replay of `version` re-applies.
    public func actions(upTo version: Int) -> [RecordedDriftAction] {
        RecordedDriftAction.collect(from: entries.filter { $0.document.version <= version }.map(\.document))
    }

    /// One line per version of the chain: offsets, reason, and the alert/action that started
    /// its lineage when there was one, with where it took effect in the input.
    public func describeChain(from version: Int) -> [String] {
        chain(from: version).map { entry in
            let document = entry.document
            let ranges = document.trainingOffsets.map { "\($0.topic)[\($0.partition)] \($0.first)...\($0.last)" }
                .joined(separator: ", ")
            var line = "v\(document.version)"
            line += document.parentVersion.map { " ← v\($0)" } ?? " (root)"
            line += ": \(ranges.isEmpty ? "no input" : ranges); \(entry.reason); \(document.contentHash)"
            if let startedBy = document.lineage?["started_by"]?.objectValue {
                let action = startedBy["action"]?.stringValue ?? "?"
                // A promotion's alert is the trial's cause.
                let alert = startedBy["alert"]?.objectValue ?? startedBy
                line += "; started by \(action) after a \(Self.detector(alert)) alert"
                if let position = alert["alert_position"] {
                    line += " (\(Self.describe(position)))"
                }
                if let applied = alert["applied_at"].flatMap(DriftActionPosition.init(json:)) {
                    line += ", applied at \(Self.describe(applied))"
                }
                if let trial = startedBy["trial"]?.objectValue, let events = trial["events"]?.intValue {
                    line += ", trial of \(events) events decided at \(trial["decided_index"]?.intValue ?? -1)"
                }
            }
            if let trial = document.lineage?["challenger_trial"], let cause = trial["cause"] {
                line += "; challenger trial running (\(trial["events"]?.intValue ?? 0)/\(trial["length"]?.intValue ?? 0) events)"
                if let applied = cause["applied_at"].flatMap(DriftActionPosition.init(json:)) {
                    line += " since \(Self.describe(applied))"
                }
            }
            return line
        }
    }

    /// The detector's name in an alert (a string, or an object with `name`).
    static func detector(_ alert: [String: JSONValue]) -> String {
        alert["detector"]?.objectValue?["name"]?.stringValue ?? alert["detector"]?.stringValue ?? "?"
    }

    /// `TOPIC[P]@OFFSET` of a `{topic, partition, offset}` object.
    static func describe(_ position: JSONValue) -> String {
        "\(position["topic"]?.stringValue ?? "?")[\(position["partition"]?.intValue ?? -1)]@\(position["offset"]?.intValue ?? -1)"
    }

    /// `events TOPIC[P]@OFFSET (features TOPIC[P]@OFFSET)`.
    static func describe(_ position: DriftActionPosition) -> String {
        let (source, features) = (position.source, position.features)
        return "\(source.topic)[\(source.partition)]@\(source.offset) (features \(features.topic)[\(features.partition)]@\(features.offset))"
    }
}
