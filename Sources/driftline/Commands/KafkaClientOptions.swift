import ArgumentParser
import Kafka
import Pipeline

/// Options every command that talks to a cluster shares: where the brokers are, a topology
/// whose cluster and client settings to take instead, and a passthrough for any librdkafka
/// property the typed options do not cover.
struct KafkaClientOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Bootstrap servers, comma-separated (required without --topology).",
            discussion: "Any Kafka-compatible broker, e.g. the address `driftline broker` prints.",
            valueName: "host:port,..."))
    var brokers: String?

    @Option(
        help: ArgumentHelp(
            "A topology file: connect as its stages do.",
            discussion: """
                Its `brokers:` (unless --brokers is given) and its `kafka:` settings (TLS, SASL, …), \
                so a secured cluster needs no -X; commands that read or write one of its topics \
                default to that topic.
                """,
            valueName: "file"))
    var topology: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "Set a librdkafka property (repeatable), e.g. -X security.protocol=ssl.",
            discussion: "Applied last, so it wins over the values the command and the topology pick.",
            valueName: "key=value"))
    var properties: [LibrdkafkaProperty] = []

    func validate() throws {
        guard brokers != nil || topology != nil else {
            throw ValidationError("give --brokers host:port or --topology file")
        }
    }

    /// The `-X` properties in the order given (a later one wins over an earlier one).
    var propertyMap: [String: String] {
        var map: [String: String] = [:]
        for property in properties { map[property.key] = property.value }
        return map
    }

    /// The cluster to connect to, resolved once per command run.
    func target() throws -> KafkaClientTarget {
        let loaded = try topology.map(Topology.loadForClients)
        guard let servers = try loaded?.bootstrapServers(overriddenBy: brokers) ?? brokers else {
            throw ValidationError("give --brokers host:port or --topology file")
        }
        return KafkaClientTarget(bootstrapServers: servers, topology: loaded, commandLine: propertyMap)
    }
}

/// Where a command's clients connect and with which librdkafka settings: the topology's
/// `kafka:` settings for that kind of client, then `-X`.
struct KafkaClientTarget {
    var bootstrapServers: String
    var topology: Topology?
    /// The `-X` properties, applied last.
    var commandLine: [String: String]

    /// Settings for a producer (or an admin client, which librdkafka builds as one).
    var producerProperties: [String: String] {
        KafkaPropertyScope.producerSettings(topology?.kafkaProperties ?? [:]).merging(commandLine) { _, new in new }
    }

    /// Adds the topology's reader settings (``KafkaConsumerConfiguration/addReaderSettings(of:)``)
    /// and then `-X` to `configuration`.
    func configure(_ configuration: inout KafkaConsumerConfiguration) {
        if let topology { configuration.addReaderSettings(of: topology) }
        configuration.properties.merge(commandLine) { _, new in new }
    }
}

/// One `key=value` librdkafka property from the command line.
struct LibrdkafkaProperty: ExpressibleByArgument, Sendable {
    var key: String
    var value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}
