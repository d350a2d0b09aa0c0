import Foundation
import Yams

/// Turns topology YAML into a ``Topology``: composes the node tree with Yams (for positions),
/// reads every section with a ``TopologyReader``, then checks the rules that span sections.
/// Throws ``TopologyErrors`` with every problem found, in the order they were met.
struct TopologyLoader {
    let file: String

    static let topLevelKeys = ["name", "brokers", "guarantee", "topics", "kafka", "schema", "stages", "metrics"]

    func load(yaml: String) throws -> Topology {
        let reader = TopologyReader(file: file)
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw TopologyErrors([TopologyError(
                    file: file, line: 1, column: 1, fieldPath: "",
                    message: "the file is empty; expected a mapping with at least name and stages"
                )])
            }
            root = composed
        } catch let error as YamlError {
            throw TopologyErrors([syntaxError(error, yaml: yaml)])
        }
        let topology = read(root, reader)
        if !reader.errors.isEmpty {
            // File order (line, column), ties in the order found: a stable sort by hand.
            let ordered = reader.errors.enumerated().sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            throw TopologyErrors(ordered.map(\.element))
        }
        guard let topology else {
            throw TopologyErrors([TopologyError(file: file, line: 1, column: 1, fieldPath: "",
                                                message: "invalid topology")])
        }
        return topology
    }

    /// A YAML syntax error, with libyaml's position.
    private func syntaxError(_ error: YamlError, yaml: String) -> TopologyError {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> TopologyError {
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at \(context.mark.line):\(context.mark.column))" }
            return TopologyError(file: file, line: mark.line, column: mark.column, fieldPath: "", message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            return located(mark, problem, context)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            let first = context.mark
            let mark = duplicates.first.flatMap { repeatedKey($0, after: first, in: yaml) } ?? (first.line, first.column)
            return TopologyError(file: file, line: mark.line, column: mark.column, fieldPath: "",
                                 message: "duplicate key \(keys) in one mapping (first at \(first.line):\(first.column))")
        default:
            return TopologyError(file: file, line: 1, column: 1, fieldPath: "", message: "invalid YAML: \(error)")
        }
    }

    /// Yams marks only the first of two equal keys; the one to delete is the later. In a block
    /// mapping it is the next line starting `key:` at the same column before the mapping ends.
    private func repeatedKey(_ key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line < lines.count else { return nil }
        let indent = first.column - 1
        for index in first.line..<lines.count {
            let line = lines[index]
            let leading = line.prefix(while: { $0 == " " }).count
            let rest = line.dropFirst(leading)
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            if leading < indent { return nil }
            if leading == indent, rest.hasPrefix("\(key):") || rest.hasPrefix("\(key) :") {
                return (index + 1, first.column)
            }
        }
        return nil
    }

    // MARK: Top level

    private func read(_ root: Node, _ reader: TopologyReader) -> Topology? {
        reader.record("", root)
        guard let top = reader.fields(root, "", allowed: Self.topLevelKeys,
                                      what: "a mapping with at least name and stages") else { return nil }

        var name: String?
        if let node = top["name"] {
            if let value = reader.string(node, "name") {
                if isValidName(value) {
                    name = value
                } else {
                    reader.fail(node, "name", expected: "a name of letters, digits, '.', '_' or '-'")
                }
            }
        } else {
            reader.missing(top, "name", expected: "the topology and model name")
        }

        let brokers = top["brokers"].flatMap { readBrokers($0, reader) } ?? .embedded
        let guarantee = top["guarantee"].flatMap {
            reader.choice($0, "guarantee", ProcessingGuarantee.allCases.map(\.rawValue))
        }.flatMap(ProcessingGuarantee.init(rawValue:)) ?? .atLeastOnce
        let kafka = top["kafka"].flatMap { readKafka($0, reader) } ?? []
        let schema = top["schema"].flatMap { readSchema($0, reader) } ?? EventSchema()
        let metrics = top["metrics"].flatMap { readMetrics($0, reader) }

        var stages = TopologyStages()
        if let node = top["stages"] {
            stages = StageReader(reader: reader).read(node) ?? stages
        } else {
            reader.missing(top, "stages", expected: "at least one of transform, learn, detect")
        }

        let defaultTopics = TopologyTopics(defaultsFor: name ?? "topology")
        let topics = top["topics"].flatMap { readTopics($0, defaults: defaultTopics, reader) } ?? defaultTopics

        guard let name else { return nil }
        let topology = Topology(name: name, brokers: brokers, guarantee: guarantee, topics: topics,
                                kafka: kafka, schema: schema, stages: stages, metrics: metrics)
        TopologyValidation(reader: reader).check(topology)
        return topology
    }

    private func isValidName(_ value: String) -> Bool {
        value.count <= 249 && value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "." || $0 == "_" || $0 == "-"
        }
    }

    // MARK: Brokers and Kafka

    private func readBrokers(_ node: Node, _ reader: TopologyReader) -> Brokers? {
        let expected = "embedded or a comma-separated list of host:port"
        guard let text = reader.string(node, "brokers", what: expected) else { return nil }
        if text == "embedded" { return .embedded }
        let addresses = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for address in addresses {
            guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
                  let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port)
            else {
                var message = "expected \(expected), got \"\(text)\""
                if NameSuggestion.closest(to: text, among: ["embedded"]) != nil {
                    message += " (did you mean \"embedded\"?)"
                } else {
                    message += " (\"\(address)\" has no valid port)"
                }
                reader.fail(at: node.mark, "brokers", message)
                return nil
            }
        }
        return .bootstrap(addresses)
    }

    /// A free-form `key: scalar` map, kept in file order.
    private func readSettings(_ node: Node, _ path: String, _ reader: TopologyReader) -> [KeyValueSetting]? {
        guard let fields = reader.fields(node, path, allowed: nil) else { return nil }
        var settings: [KeyValueSetting] = []
        for (key, value) in fields.entries {
            guard let text = reader.string(value, fields.path(key), what: "a string, number or boolean") else {
                continue
            }
            settings.append(KeyValueSetting(key: key, value: text))
        }
        return settings
    }

    private func readKafka(_ node: Node, _ reader: TopologyReader) -> [KeyValueSetting]? {
        guard let settings = readSettings(node, "kafka", reader) else { return nil }
        let reserved = ["bootstrap.servers": "brokers", "metadata.broker.list": "brokers",
                        "transactional.id": "guarantee", "enable.idempotence": "guarantee",
                        "group.id": "the stage name"]
        var kept: [KeyValueSetting] = []
        for setting in settings {
            if let owner = reserved[setting.key] {
                reader.fail(atPath: "kafka.\(setting.key)",
                            "is set by Driftline from \(owner); remove it from kafka:")
            } else {
                kept.append(setting)
            }
        }
        return kept
    }

    // MARK: Topics

    private func readTopics(_ node: Node, defaults: TopologyTopics, _ reader: TopologyReader) -> TopologyTopics? {
        guard let fields = reader.fields(node, "topics", allowed: TopologyTopics.keys) else { return nil }
        var topics = defaults
        func topic(_ key: String, _ keyPath: WritableKeyPath<TopologyTopics, TopicSettings>) {
            guard let value = fields[key], let settings = readTopic(value, fields.path(key), reader) else { return }
            topics[keyPath: keyPath] = settings
        }
        topic("events", \.events)
        topic("features", \.features)
        topic("predictions", \.predictions)
        topic("models", \.models)
        topic("alerts", \.alerts)
        topic("dead_letters", \.deadLetters)
        return topics
    }

    private func readTopic(_ node: Node, _ path: String, _ reader: TopologyReader) -> TopicSettings? {
        if case .scalar = node {
            return topicName(node, path, reader).map { TopicSettings(name: $0) }
        }
        guard let fields = reader.fields(node, path, allowed: ["name", "partitions", "config"],
                                         what: "a topic name or {name, partitions, config}") else { return nil }
        guard let nameNode = fields["name"] else {
            reader.missing(fields, "name", expected: "the Kafka topic name")
            return nil
        }
        guard let name = topicName(nameNode, fields.path("name"), reader) else { return nil }
        let partitions = fields["partitions"].flatMap {
            reader.integer($0, fields.path("partitions"), minimum: 1, maximum: 100_000)
        }
        let config = fields["config"].flatMap { readSettings($0, fields.path("config"), reader) } ?? []
        return TopicSettings(name: name, partitions: partitions, config: config)
    }

    private func topicName(_ node: Node, _ path: String, _ reader: TopologyReader) -> String? {
        let what = "a Kafka topic name (letters, digits, '.', '_', '-')"
        guard let name = reader.string(node, path, what: what) else { return nil }
        guard isValidName(name), name != ".", name != ".." else {
            reader.fail(node, path, expected: what)
            return nil
        }
        return name
    }

    // MARK: Schema and metrics

    private func readSchema(_ node: Node, _ reader: TopologyReader) -> EventSchema? {
        guard let fields = reader.fields(node, "schema",
                                         allowed: ["target", "key", "time", "numeric", "categorical"]) else {
            return nil
        }
        var schema = EventSchema()
        schema.target = fields["target"].flatMap { reader.string($0, "schema.target") }
        schema.key = fields["key"].flatMap { reader.string($0, "schema.key") }
        schema.time = fields["time"].flatMap { reader.string($0, "schema.time") }
        if let numeric = fields["numeric"] {
            if case .scalar = numeric {
                if reader.choice(numeric, "schema.numeric", ["auto"]) != nil { schema.numeric = .auto }
            } else if case .sequence = numeric {
                if let list = reader.stringList(numeric, "schema.numeric") { schema.numeric = .fields(list) }
            } else {
                reader.fail(numeric, "schema.numeric", expected: "auto or a list of field names")
            }
        }
        if let categorical = fields["categorical"] {
            schema.categorical = reader.stringList(categorical, "schema.categorical") ?? []
        }
        return schema
    }

    private func readMetrics(_ node: Node, _ reader: TopologyReader) -> MetricsSettings? {
        guard let fields = reader.fields(node, "metrics", allowed: ["port", "host"]) else { return nil }
        var metrics = MetricsSettings()
        if let port = fields["port"].flatMap({ reader.integer($0, "metrics.port", minimum: 0, maximum: 65535) }) {
            metrics.port = port
        }
        if let node = fields["host"] {
            let what = "an IPv4 address such as 127.0.0.1 (loopback) or 0.0.0.0 (every interface)"
            if let host = reader.string(node, "metrics.host", what: what) {
                if MetricsSettings.isIPv4Address(host) {
                    metrics.host = host
                } else {
                    reader.fail(node, "metrics.host", expected: what)
                }
            }
        }
        return metrics
    }
}
