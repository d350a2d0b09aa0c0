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

    /// One line per version of the chain: offsets, reason, and the alert/action that started
    /// its lineage when there was one.
    public func describeChain(from version: Int) -> [String] {
        chain(from: version).map { entry in
            let document = entry.document
            let ranges = document.trainingOffsets.map { "\($0.topic)[\($0.partition)] \($0.first)...\($0.last)" }
                .joined(separator: ", ")
            var line = "v\(document.version)"
            line += document.parentVersion.map { " ← v\($0)" } ?? " (root)"
            line += ": \(ranges.isEmpty ? "no input" : ranges); \(entry.reason); \(document.contentHash)"
            if let startedBy = document.lineage?.objectValue?["started_by"]?.objectValue {
                let action = startedBy["action"]?.stringValue ?? "?"
                let detector = startedBy["detector"]?.objectValue?["name"]?.stringValue
                    ?? startedBy["detector"]?.stringValue ?? "?"
                line += "; started by \(action) after a \(detector) alert"
            }
            return line
        }
    }
}
