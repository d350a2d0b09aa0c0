import ArgumentParser
import Kafka

/// `driftline topics list`: topics and their partition counts.
struct TopicsList: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cluster's topics with their partition counts.",
        discussion: """
            One topic per line, sorted by name: the name, then the number of partitions. \
            Internal topics (names starting with "__") are left out unless --all is given.

            Example:
              driftline topics list --brokers $BROKERS
            """
    )

    @OptionGroup var kafka: KafkaClientOptions

    @Flag(help: "Include internal topics such as __consumer_offsets.")
    var all = false

    @Option(help: ArgumentHelp("Seconds to wait for the cluster.", valueName: "seconds"))
    var timeout: Double = 10

    func run() async throws {
        try await DetachedThread.run(name: "driftline-topics") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        let target = try kafka.target()
        let admin = try KafkaAdmin(bootstrapServers: target.bootstrapServers, properties: target.producerProperties)
        let metadata = try admin.metadata(timeout: .milliseconds(Int(timeout * 1000)))
        let topics = metadata.topics.filter { all || !$0.name.hasPrefix("__") }
        let width = topics.map(\.name.count).max() ?? 0
        var output = StandardOutput()
        for topic in topics {
            let padding = String(repeating: " ", count: Swift.max(0, width - topic.name.count))
            output.append("\(topic.name)\(padding)  \(topic.partitions.count)\n")
        }
        output.flush()
    }
}
