import ArgumentParser
import Kafka

/// `driftline topics create`: creates a topic through the Admin API.
struct TopicsCreate: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a topic through the Admin API.",
        discussion: """
            The embedded broker (`driftline broker`, librdkafka's mock cluster) does not \
            implement the Admin API's CreateTopics: the request fails or times out. Create \
            topics there with `driftline broker --topic NAME:PARTITIONS`, or let the first \
            record create them with 4 partitions.

            Examples:
              driftline topics create phishing.events --partitions 8 --brokers $BROKERS
              driftline topics create phishing.models --partitions 1 \\
                  --config cleanup.policy=compact --brokers $BROKERS
            """
    )

    @OptionGroup var kafka: KafkaClientOptions

    @Argument(help: "The topic's name.")
    var name: String

    @Option(help: "Number of partitions.")
    var partitions: Int32 = 1

    @Option(help: "Replicas per partition (default: the broker's default).")
    var replicationFactor: Int16 = -1

    @Option(
        help: ArgumentHelp("A topic config (repeatable), e.g. cleanup.policy=compact.", valueName: "key=value"))
    var config: [LibrdkafkaProperty] = []

    @Flag(help: "Succeed when the topic already exists.")
    var ifNotExists = false

    @Option(help: ArgumentHelp("Seconds to wait for the broker's answer.", valueName: "seconds"))
    var timeout: Double = 10

    mutating func validate() throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-topics") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        var configs: [String: String] = [:]
        for item in config { configs[item.key] = item.value }
        let target = try kafka.target()
        let admin = try KafkaAdmin(bootstrapServers: target.bootstrapServers, properties: target.producerProperties)
        do {
            try admin.createTopics(
                [KafkaNewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)],
                ifNotExists: ifNotExists, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            var message = "could not create topic \(name): \(error)"
            if ["_TIMED_OUT", "_UNSUPPORTED_FEATURE", "UNSUPPORTED_VERSION", "INVALID_REQUEST"].contains(error.name) {
                message += """
                    
                    If \(target.bootstrapServers) is an embedded broker (`driftline broker`), it does not \
                    support CreateTopics: start it with --topic \(name):\(partitions) instead, or \
                    produce to the topic to create it with 4 partitions.
                    """
            }
            throw CommandFailure(message)
        }
        StandardError.line("created topic \(name) with \(partitions) partition\(partitions == 1 ? "" : "s")")
    }
}
