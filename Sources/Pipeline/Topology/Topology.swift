import Foundation

/// A topology file, loaded and validated: the one description that drives `driftline evaluate`,
/// `driftline stage` and `driftline up`.
///
/// Load one with ``Topology/load(contentsOf:)`` or ``Topology/parse(yaml:file:)``; every problem
/// comes back as a ``TopologyErrors`` naming file, line, column and field path.
public struct Topology: Sendable, Equatable {
    /// The topology (and model) name: letters, digits, `.`, `_`, `-`. Required.
    public var name: String
    /// Default `.embedded`.
    public var brokers: Brokers
    /// Default `.atLeastOnce`.
    public var guarantee: ProcessingGuarantee
    /// Default: every topic named after `name` (see ``TopologyTopics``).
    public var topics: TopologyTopics
    /// librdkafka properties passed to every client, in file order (`kafka: {linger.ms: 5}`).
    /// Default: none.
    public var kafka: [KeyValueSetting]
    /// Default: no target, numeric `auto`, no categorical fields.
    public var schema: EventSchema
    /// The stages. At least one is required.
    public var stages: TopologyStages
    /// Default `nil`: no metrics endpoint.
    public var metrics: MetricsSettings?

    public init(
        name: String,
        brokers: Brokers = .embedded,
        guarantee: ProcessingGuarantee = .atLeastOnce,
        topics: TopologyTopics? = nil,
        kafka: [KeyValueSetting] = [],
        schema: EventSchema = EventSchema(),
        stages: TopologyStages,
        metrics: MetricsSettings? = nil
    ) {
        self.name = name
        self.brokers = brokers
        self.guarantee = guarantee
        self.topics = topics ?? TopologyTopics(defaultsFor: name)
        self.kafka = kafka
        self.schema = schema
        self.stages = stages
        self.metrics = metrics
    }

    /// Reads and validates the topology file at `url`. Errors name the path as given.
    public static func load(contentsOf url: URL, displayName: String? = nil) throws -> Topology {
        let file = displayName ?? url.relativePath
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TopologyErrors([
                TopologyError(file: file, line: 1, column: 1, fieldPath: "",
                              message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try parse(yaml: text, file: file)
    }

    /// Parses and validates topology YAML. `file` only labels error messages.
    public static func parse(yaml: String, file: String = "<string>") throws -> Topology {
        try TopologyLoader(file: file).load(yaml: yaml)
    }

    /// `kafka` as properties, a later key winning over an earlier one. Each client takes its
    /// share through `KafkaPropertyScope.consumerSettings` / `producerSettings`.
    public var kafkaProperties: [String: String] {
        var properties: [String: String] = [:]
        for setting in kafka { properties[setting.key] = setting.value }
        return properties
    }
}
