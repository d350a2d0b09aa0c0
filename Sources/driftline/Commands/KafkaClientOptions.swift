import ArgumentParser

/// Options every command that talks to a cluster shares: where the brokers are, and a
/// passthrough for any librdkafka property the typed options do not cover.
struct KafkaClientOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Bootstrap servers, comma-separated.",
            discussion: "Any Kafka-compatible broker, e.g. the address `driftline broker` prints.",
            valueName: "host:port,..."))
    var brokers: String

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "Set a librdkafka property (repeatable), e.g. -X security.protocol=ssl.",
            discussion: "Applied last, so it wins over the values the command picks itself.",
            valueName: "key=value"))
    var properties: [LibrdkafkaProperty] = []

    /// The `-X` properties in the order given (a later one wins over an earlier one).
    var propertyMap: [String: String] {
        var map: [String: String] = [:]
        for property in properties { map[property.key] = property.value }
        return map
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
