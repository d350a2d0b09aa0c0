import ArgumentParser
import Foundation
import Kafka
import OnlineML
import Pipeline

/// A model version's recorded input, the recorded hashes of its lineage and the `on_drift`
/// actions to re-apply: what `export` writes and `replay` reads.
struct ModelSlice {
    var key: String
    var version: Int
    var recorded: [(version: Int, hash: String, ranges: [TrainingOffsetRange])]
    var records: [ModelReplay.SliceRecord]
    var actions: [RecordedDriftAction] = []
}

/// The broker and file side of `replay` and `export`.
enum ModelSliceIO {
    static func log(_ message: String) {
        FileHandle.standardError.write(Data("driftline: \(message)\n".utf8))
    }

    static func loadTopology(_ path: String) throws -> Topology {
        do {
            return try Topology.load(contentsOf: URL(fileURLWithPath: path), displayName: path)
        } catch let errors as TopologyErrors {
            log(errors.description)
            throw ExitCode(2)
        }
    }

    /// `NAME@VERSION` → (NAME, VERSION).
    static func parseModel(_ text: String) throws -> (String, Int) {
        guard let at = text.lastIndex(of: "@"), let version = Int(text[text.index(after: at)...]), version > 0 else {
            throw ValidationError("--model takes NAME@VERSION, e.g. phishing@3 (got '\(text)')")
        }
        return (String(text[..<at]), version)
    }

    static func restorer(_ topology: Topology, brokers: String?) throws -> KafkaStateRestorer {
        guard let servers = brokers ?? topology.brokers.bootstrapServers else {
            log("the topology says `brokers: embedded`: give --brokers HOST:PORT")
            throw ExitCode(2)
        }
        var configuration = KafkaConsumerConfiguration(
            readerOf: topology, bootstrapServers: servers,
            groupID: "driftline-replay-\(ProcessInfo.processInfo.processIdentifier)", clientID: "driftline-replay")
        configuration.isolationLevel = .readCommitted
        return KafkaStateRestorer(configuration: configuration)
    }

    static func lineage(topology: Topology, key: String, brokers: String?) throws -> ModelLineage {
        let records = try restorer(topology, brokers: brokers).records(in: topology.topics.models.name)
        return try ModelLineage(key: key, records: records)
    }

    /// The events a replay of `version` needs (``ModelReplay/inputRanges(documents:actions:)``),
    /// read back from the events topic, and the actions to re-apply.
    static func slice(topology: Topology, key: String, version: Int, lineage: ModelLineage, brokers: String?) throws
        -> ModelSlice
    {
        guard lineage.entry(version: version) != nil else {
            log("no version \(version) of model '\(key)' on \(topology.topics.models.name) (versions: "
                + lineage.entries.map { String($0.document.version) }.joined(separator: ", ") + ")")
            throw ExitCode(1)
        }
        let actions = lineage.actions(upTo: version)
        let unplaced = lineage.entries.filter { entry in
            guard entry.document.version <= version, let cause = entry.document.lineage?["started_by"], cause != .null
            else { return false }
            return (cause["alert"] ?? cause)["applied_at"] == nil
        }
        if let first = unplaced.first {
            log("note: \(key)@\(first.document.version) was started by an on_drift action without a recorded input "
                + "position (written before positions were recorded, or by `evaluate`); replay cannot re-apply it")
        }
        let documents = lineage.entries.filter { $0.document.version <= version }.map(\.document)
        let ranges = ModelReplay.inputRanges(documents: documents, actions: actions)
        var events: [KafkaConsumerRecord] = []
        for topic in Set(ranges.map(\.topic)).sorted() {
            events += try restorer(topology, brokers: brokers).records(in: topic)
        }
        let records = ModelReplay.slice(events, ranges: ranges)
        let expected = ranges.reduce(0) { $0 + $1.last - $1.first + 1 }
        if records.count != expected {
            log("warning: the lineage covers \(expected) offsets but \(records.count) records were read back")
        }
        let recorded = lineage.entries.filter { $0.document.version <= version }
            .map { (version: $0.document.version, hash: $0.document.contentHash, ranges: $0.document.trainingOffsets) }
        return ModelSlice(key: key, version: version, recorded: recorded, records: records, actions: actions)
    }

    static func write(_ slice: ModelSlice, to url: URL) throws {
        // Canonical JSON: the actions' causes hold detector evidence (doubles) that must come
        // back bit-identical, or the rebuilt lineage would differ from the recorded one.
        var header: [String: JSONValue] = [
            "driftline_slice": .integer(slice.actions.isEmpty ? 1 : 2), "model": .string(slice.key),
            "version": .integer(slice.version),
            "versions": .array(slice.recorded.map { entry in
                .object([
                    "version": .integer(entry.version), "content_hash": .string(entry.hash),
                    "training_offsets": .array(entry.ranges.map(\.json)),
                ])
            }),
        ]
        if !slice.actions.isEmpty { header["actions"] = .array(slice.actions.map(\.json)) }
        var text = CanonicalJSON.encode(.object(header)) + "\n"
        for record in slice.records {
            text += try line([
                "topic": record.topic, "partition": Int(record.partition), "offset": Int(record.offset),
                "value": String(decoding: record.value, as: UTF8.self),
            ])
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    private static func line(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
    }

    static func read(_ url: URL) throws -> ModelSlice {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        func object(_ line: Substring, _ number: Int) throws -> [String: Any] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                log("\(url.path):\(number): not a JSON object")
                throw ExitCode(2)
            }
            return object
        }
        guard let first = lines.first else {
            log("\(url.path) is empty")
            throw ExitCode(2)
        }
        let header = try object(first, 1)
        guard header["driftline_slice"] != nil, let key = header["model"] as? String, let version = header["version"] as? Int,
              let versions = header["versions"] as? [[String: Any]]
        else {
            log("\(url.path):1: not a slice header (write slices with `driftline export`)")
            throw ExitCode(2)
        }
        let recorded = versions.compactMap { entry -> (version: Int, hash: String, ranges: [TrainingOffsetRange])? in
            guard let version = entry["version"] as? Int, let hash = entry["content_hash"] as? String else { return nil }
            let ranges = (entry["training_offsets"] as? [[String: Any]] ?? []).compactMap { range -> TrainingOffsetRange? in
                guard let topic = range["topic"] as? String, let partition = range["partition"] as? Int,
                      let first = range["first"] as? Int, let last = range["last"] as? Int
                else { return nil }
                return TrainingOffsetRange(topic: topic, partition: partition, first: first, last: last)
            }
            return (version, hash, ranges)
        }
        // Version 2 adds `actions`; a version 1 slice has none.
        var actions: [RecordedDriftAction] = []
        if let parsed = try? CanonicalJSON.parse(String(first)), let list = parsed["actions"]?.arrayValue {
            for (index, json) in list.enumerated() {
                guard let action = RecordedDriftAction(json: json) else {
                    log("\(url.path):1: action \(index + 1) of the header is not a recorded on_drift action")
                    throw ExitCode(2)
                }
                actions.append(action)
            }
        }
        var records: [ModelReplay.SliceRecord] = []
        for (index, line) in lines.dropFirst().enumerated() {
            let object = try object(line, index + 2)
            guard let topic = object["topic"] as? String, let partition = object["partition"] as? Int,
                  let offset = object["offset"] as? Int, let value = object["value"] as? String
            else {
                log("\(url.path):\(index + 2): a slice record needs topic, partition, offset and value")
                throw ExitCode(2)
            }
            records.append(.init(topic: topic, partition: Int32(partition), offset: Int64(offset), value: Array(value.utf8)))
        }
        return ModelSlice(key: key, version: version, recorded: recorded, records: records, actions: actions)
    }
}
