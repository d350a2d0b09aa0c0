import ArgumentParser
import Foundation
import Kafka
import OnlineML
import Pipeline

/// `driftline models list|show|export`: reads a topology's versioned model topic, so a person
/// can see which versions exist, read one, or take one out as a file — checking each
/// document's content hash on the way.
struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show or export the model documents on a topology's model topic.",
        subcommands: [ModelsList.self, ModelsShow.self, ModelsExport.self]
    )
}

/// The options every `models` subcommand shares.
struct ModelTopicOptions: ParsableArguments {
    @OptionGroup var source: TopologyOptions

    @Option(help: "Only this model: its key on the topic (e.g. quickstart/0) or its name.")
    var model: String?

    @Option(help: "Only this version.")
    var version: Int?

    /// Every model record on the topic, in topic order (partition, offset), filtered.
    func read() throws -> (Topology, [ModelRecord]) {
        let loaded = try Topology.loadForClients(source.topology)
        let servers = try loaded.bootstrapServers(overriddenBy: source.brokers)
        let configuration = KafkaConsumerConfiguration(
            readerOf: loaded, bootstrapServers: servers, groupID: "driftline-models", clientID: "driftline-models")
        let restorer = KafkaStateRestorer(configuration: configuration, timeout: .seconds(30))
        let records = try restorer.records(in: loaded.topics.models.name)
        let all = records.filter { !$0.isTombstone }.map(ModelRecord.init)
        return (loaded, all.filter { record in
            (model == nil || record.key == model || record.name == model)
                && (version == nil || record.version == version)
        })
    }
}

/// One record of the model topic, with what a listing shows and whether its hash holds.
struct ModelRecord {
    var partition: Int32
    var offset: Int64
    var key: String
    var text: String
    var json: JSONValue?
    var reason: String
    /// nil when the hash matches; else why the document cannot be trusted.
    var problem: String?

    init(_ record: KafkaConsumerRecord) {
        partition = record.partition
        offset = record.offset
        text = record.valueString
        reason = record.headers.first { $0.name == "driftline.publish.reason" }?.stringValue ?? "-"
        do {
            let json = try CanonicalJSON.parse(text)
            self.json = json
            problem = Self.checkHash(json)
        } catch {
            json = nil
            problem = "not JSON: \(error)"
        }
        key = record.keyString ?? json?["name"]?.stringValue ?? "-"
    }

    var name: String? { json?["name"]?.stringValue }
    var version: Int? { json?["version"]?.intValue }

    /// Recomputes the content hash per docs/model-document.md: SHA-256 of the canonical
    /// encoding without `content_hash` and `created_at`.
    static func checkHash(_ json: JSONValue) -> String? {
        guard json["format"]?.stringValue == ModelDocument.formatName else { return "not a \(ModelDocument.formatName) document" }
        guard var body = json.objectValue, let stated = body["content_hash"]?.stringValue else { return "no content_hash" }
        body["content_hash"] = nil
        body["created_at"] = nil
        let actual = "sha256:" + SHA256.hexDigest(CanonicalJSON.encodeBytes(.object(body)))
        return actual == stated ? nil : "content hash mismatch: the document says \(stated), its content hashes to \(actual)"
    }

    /// The summary `models list --json` prints.
    var summary: JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(key), "partition": .integer(Int(partition)), "offset": .integer(Int(offset)),
            "reason": .string(reason), "hash_ok": .bool(problem == nil),
        ]
        if let problem { object["problem"] = .string(problem) }
        if let json {
            for field in ["name", "version", "parent_version", "events_learned", "training_offsets", "metrics",
                          "content_hash", "created_at"] {
                object[field] = json[field] ?? .null
            }
            object["version_events"] = json["lineage"]?["version_events"] ?? .null
            object["started_by"] = json["lineage"]?["started_by"]?["action"] ?? .null
        }
        return .object(object)
    }

    /// The one document `show` and `export` use: the last record matching (a later record
    /// of the same version supersedes a checkpoint).
    static func pick(_ records: [ModelRecord], options: ModelTopicOptions) throws -> ModelRecord {
        guard let last = records.last else {
            throw CommandFailure("no model document matches" + (options.model.map { " model \($0)" } ?? "")
                                 + (options.version.map { " version \($0)" } ?? ""))
        }
        let keys = Set(records.map(\.key))
        if keys.count > 1 && options.model == nil {
            throw CommandFailure("the topic holds several models (\(keys.sorted().joined(separator: ", "))): choose one with --model")
        }
        return last
    }
}

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the model versions on the model topic (one line per record).")

    @OptionGroup var options: ModelTopicOptions

    @Flag(help: "One JSON object per record instead of a table.")
    var json = false

    func run() async throws {
        let options = options
        let json = json
        try await DetachedThread.run(name: "driftline-models") {
            let (_, records) = try options.read()
            var output = ""
            if json {
                for record in records { output += CanonicalJSON.encode(record.summary) + "\n" }
            } else {
                output += ["key", "version", "parent", "reason", "events", "offsets", "metrics", "hash", "created_at"]
                    .joined(separator: "\t") + "\n"
                for record in records { output += Self.row(record) + "\n" }
            }
            FileHandle.standardOutput.write(Data(output.utf8))
            let bad = records.filter { $0.problem != nil }
            for record in bad {
                StandardError.line("\(record.key) at \(record.partition):\(record.offset): \(record.problem!)")
            }
            if !bad.isEmpty { throw ExitCode.failure }
        }
    }

    static func row(_ record: ModelRecord) -> String {
        guard let json = record.json else { return "\(record.key)\t-\t-\t\(record.reason)\t-\t-\t-\tINVALID\t-" }
        let ranges = (json["training_offsets"]?.arrayValue ?? []).map { range in
            "\(range["topic"]?.stringValue ?? "?"):\(range["partition"]?.intValue ?? -1):\(range["first"]?.intValue ?? -1)-\(range["last"]?.intValue ?? -1)"
        }.joined(separator: ",")
        let metrics = (json["metrics"]?.objectValue ?? [:]).keys.sorted()
            .filter { ["accuracy", "logloss", "mae", "rmse"].contains($0) }
            .map { "\($0)=\(String(format: "%.4f", json["metrics"]?[$0]?.doubleValue ?? .nan))" }.joined(separator: ",")
        let hash = record.problem == nil ? String((json["content_hash"]?.stringValue ?? "").prefix(19)) : "TAMPERED"
        return [
            record.key, json["version"]?.intValue.map(String.init) ?? "-",
            json["parent_version"]?.intValue.map(String.init) ?? "-", record.reason,
            json["events_learned"]?.intValue.map(String.init) ?? "-", ranges.isEmpty ? "-" : ranges,
            metrics.isEmpty ? "-" : metrics, hash, json["created_at"]?.stringValue ?? "-",
        ].joined(separator: "\t")
    }
}

struct ModelsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one model document as indented JSON (default: the latest).")

    @OptionGroup var options: ModelTopicOptions

    func run() async throws {
        let options = options
        try await DetachedThread.run(name: "driftline-models") {
            let (_, records) = try options.read()
            let record = try ModelRecord.pick(records, options: options)
            guard let json = record.json else { throw CommandFailure(record.problem ?? "unreadable document") }
            FileHandle.standardOutput.write(Data((PrettyJSON.encode(json) + "\n").utf8))
            if let problem = record.problem {
                StandardError.line("warning: \(record.key) at \(record.partition):\(record.offset): \(problem)")
                throw ExitCode.failure
            }
        }
    }
}

struct ModelsExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one model document to a file in canonical form, after checking its hash.")

    @OptionGroup var options: ModelTopicOptions

    @Option(help: ArgumentHelp("The file to write (default: stdout).", valueName: "path"))
    var output: String?

    func run() async throws {
        let options = options
        let output = output
        try await DetachedThread.run(name: "driftline-models") {
            let (_, records) = try options.read()
            let record = try ModelRecord.pick(records, options: options)
            if let problem = record.problem {
                throw CommandFailure("\(record.key) version \(record.version.map(String.init) ?? "?") at \(record.partition):\(record.offset) is not exported: \(problem)")
            }
            let canonical = CanonicalJSON.encode(record.json!)
            if let output {
                try Data(canonical.utf8).write(to: URL(fileURLWithPath: output))
                StandardError.line("wrote \(record.key) version \(record.version ?? 0) (\(record.json?["content_hash"]?.stringValue ?? "")) to \(output)")
            } else {
                FileHandle.standardOutput.write(Data(canonical.utf8))
            }
        }
    }
}

/// Indented JSON with sorted keys and the canonical number forms, for people.
enum PrettyJSON {
    static func encode(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ $0.arrayValue == nil && $0.objectValue == nil }) {
                return "[" + items.map { CanonicalJSON.encode($0) }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + encode($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.keys.sorted().map { key in
                inner + CanonicalJSON.encode(.string(key)) + ": " + encode(members[key]!, indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return CanonicalJSON.encode(value)
        }
    }
}
