import ArgumentParser
import Kafka
import Pipeline

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

            With --topology and no NAME it creates every topic of the topology that is missing, \
            as `driftline up` does before its stages start: each with its declared partitions \
            (4 when undeclared) and configs, the models topic with room for large documents, \
            and the detect stage's changelog (--replication-factor applies to each). A topic \
            that exists is left as it is, with a \
            warning when its partition count is not the declared one. Run it once before \
            starting `driftline stage` processes on a cluster: a broker that creates topics \
            on first use gives them its defaults (one partition, no compaction).

            Examples:
              driftline topics create phishing.events --partitions 8 --brokers $BROKERS
              driftline topics create phishing.models --partitions 1 \\
                  --config cleanup.policy=compact --brokers $BROKERS
              driftline topics create --topology topologies/quickstart.yaml \\
                  --brokers $BROKERS
            """
    )

    @OptionGroup var kafka: KafkaClientOptions

    @Argument(help: "The topic's name (without it: every topic of --topology).")
    var name: String?

    @Option(help: "Number of partitions of NAME (default: 1).")
    var partitions: Int32?

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
        if let partitions, partitions <= 0 { throw ValidationError("--partitions must be positive") }
        guard name != nil || kafka.topology != nil else { throw ValidationError("give a topic name or --topology file") }
        if name == nil && (partitions != nil || !config.isEmpty) {
            throw ValidationError("--partitions and --config are for a named topic: a topology's topics take theirs from the file")
        }
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
        guard let name else {
            // `validate` saw --topology.
            if let topology = target.topology { try createTopics(of: topology, with: admin, at: target.bootstrapServers) }
            return
        }
        let partitions = partitions ?? 1
        do {
            try admin.createTopics(
                [KafkaNewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)],
                ifNotExists: ifNotExists, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            throw Self.failure(
                "could not create topic \(name)", error, at: target.bootstrapServers,
                instead: "start it with --topic \(name):\(partitions) instead, or produce to the topic to create it with 4 partitions")
        }
        StandardError.line("created topic \(name) with \(partitions) partition\(partitions == 1 ? "" : "s")")
    }

    /// `what` failed with `error`; when the error is what the embedded broker answers to
    /// CreateTopics, says so and what to do `instead`.
    private static func failure(_ what: String, _ error: any Error, at servers: String, instead: String) -> CommandFailure {
        var message = "\(what): \(error)"
        if let error = error as? KafkaError,
            ["_TIMED_OUT", "_UNSUPPORTED_FEATURE", "UNSUPPORTED_VERSION", "INVALID_REQUEST"].contains(error.name)
        {
            message += """
                
                If \(servers) is an embedded broker (`driftline broker`), it does not support \
                CreateTopics: \(instead).
                """
        }
        return CommandFailure(message)
    }

    /// The topology's missing topics, created in one request; the ones that exist are checked
    /// against their declared partition counts.
    private func createTopics(of topology: Topology, with admin: KafkaAdmin, at servers: String) throws {
        let setUp: TopologyTopicsSetUp
        do {
            setUp = try admin.createMissingTopics(
                of: topology, replicationFactor: replicationFactor, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            throw Self.failure(
                "could not create the topics of \(topology.name)", error, at: servers,
                instead: "`driftline up` creates a topology's topics on an embedded broker of its own")
        }
        for (name, count) in setUp.existing {
            if let declared = topology.topics.all.first(where: { $0.name == name })?.partitions, declared != count {
                StandardError.line(
                    "warning: topic \(name) exists with \(count) partition\(count == 1 ? "" : "s"); the topology declares \(declared)")
            } else {
                StandardError.line("topic \(name) exists")
            }
        }
        for topic in setUp.created {
            let configs = topic.configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            StandardError.line(
                "created topic \(topic.name) with \(topic.partitions) partition\(topic.partitions == 1 ? "" : "s")"
                    + (configs.isEmpty ? "" : " (\(configs.joined(separator: ", ")))"))
        }
    }
}
