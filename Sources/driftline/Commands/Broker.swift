import ArgumentParser
import Kafka

/// `driftline broker`: hosts the embedded broker for other processes.
struct Broker: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Host an embedded Kafka broker for other processes until SIGINT or SIGTERM.",
        discussion: """
            Starts librdkafka's mock cluster in this process: the real Kafka protocol on \
            loopback, everything in memory. The first line on stdout is the bootstrap address \
            (host:port,...), so scripts can read it:

              BROKERS=$(driftline broker --topic events:8 | head -n 1) ...
              driftline broker > broker.addr &  read BROKERS < broker.addr

            A human-readable line goes to stderr. Topics are created on first use with 4 \
            partitions; --topic creates them up front with the partitions you need. The \
            Admin API's CreateTopics is not supported by this broker, so `driftline topics \
            create` cannot create topics here: use --topic.

            Ports: each broker listens on a port the operating system picks (librdkafka \
            2.0.2's mock cannot be told one). With --port P a relay on 127.0.0.1:P forwards \
            bootstrap connections to broker 1, so clients can be configured with a fixed \
            address; the broker's metadata then points them at the real ports, which works \
            on this host only (everything listens on loopback). The printed address starts \
            with 127.0.0.1:P.

            Limits: no topic configs or compaction; each partition keeps only 5 MiB or 100k \
            batches and drops its oldest records beyond that, so give large runs more \
            partitions.

            Examples:
              driftline broker
              driftline broker --port 9092 --topic events:8 --topic events.drift-alerts:1
              driftline broker --brokers 3 --topic events:8
            """
    )

    /// `name:partitions` from `--topic`.
    struct TopicSpecification: ExpressibleByArgument {
        var name: String
        var partitions: Int

        init?(argument: String) {
            let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 1, !parts[0].isEmpty {
                name = String(parts[0])
                partitions = 4
            } else if parts.count == 2, !parts[0].isEmpty, let count = Int(parts[1]), count > 0 {
                name = String(parts[0])
                partitions = count
            } else {
                return nil
            }
        }
    }

    @Option(help: "Number of brokers in the cluster (ids 1...N).")
    var brokers = 1

    @Option(help: "Also accept bootstrap connections on 127.0.0.1:<port> (a relay; see above).")
    var port: Int?

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("Create a topic at start (repeatable).", valueName: "name:partitions"))
    var topics: [TopicSpecification] = []

    mutating func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-broker") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        let shutdown = ShutdownSignal()
        let broker: EmbeddedBroker
        do {
            broker = try EmbeddedBroker(brokers: brokers, bootstrapPort: port)
        } catch {
            throw CommandFailure("could not start the embedded broker: \(error)")
        }
        defer { broker.shutdown() }
        for topic in topics {
            try broker.createTopic(topic.name, partitions: topic.partitions, replicationFactor: Swift.min(brokers, 3))
        }
        var output = StandardOutput()
        output.append(broker.bootstrapServers + "\n")
        output.flush()
        let created = topics.isEmpty ? "" : "; topics " + topics.map { "\($0.name) (\($0.partitions))" }.joined(separator: ", ")
        StandardError.line(
            "embedded broker (librdkafka \(Librdkafka.version), \(brokers) broker\(brokers == 1 ? "" : "s")) "
                + "listening on \(broker.bootstrapServers)\(created); stop with Ctrl-C or SIGTERM")
        shutdown.wait()
        broker.shutdown()
        StandardError.line("embedded broker stopped on \(shutdown.signalName)")
    }
}
