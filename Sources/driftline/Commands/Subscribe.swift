import ArgumentParser
import Foundation
import Kafka

/// `driftline subscribe`: a long-lived consumer that prints records as JSON lines.
struct Subscribe: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Print the records of a topic as JSON lines, as they arrive.",
        discussion: """
            Each record is one line on stdout:
              {"topic":"alerts","partition":0,"offset":7,"timestamp":1700000000000,
               "key":"model-a","headers":{"stage":"detect"},"value":{...}}
            The value is embedded as JSON when it is JSON, else as a string; a key, value or \
            header value that is not UTF-8 is printed in base64 and named in \
            "key_encoding", "value_encoding" or "base64_headers".

            Without --group the command reads every partition directly (no group, nothing \
            committed) from the end, or from the beginning with --from-beginning; it waits \
            for the topic to exist, and reads the partitions the topic has at that moment. With \
            --group it joins that consumer group and commits the offsets of the records it \
            printed, so the next run with the same group continues where this one stopped.

            Runs until SIGINT or SIGTERM (exit 0), or until --max records were printed.

            Examples:
              driftline subscribe --brokers $BROKERS --topic phishing.drift-alerts
              driftline subscribe --brokers $BROKERS --topic events --from-beginning \\
                  --max 10
              driftline subscribe --brokers $BROKERS --topic events --group audit \\
                  --format pretty
              driftline subscribe --topology topologies/quickstart.yaml --brokers $BROKERS

            With --topology it reads the topology's drift-alert topic (--topic names another), \
            connects with its `kafka:` settings, and reads committed records only: on Apache \
            Kafka an exactly-once topology's aborted outputs are not printed (the embedded \
            broker and Tansu 0.6 show them anyway; docs/guarantees.md).
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case json, pretty
    }

    @OptionGroup var kafka: KafkaClientOptions

    @Option(help: "The topic to read (default with --topology: its drift-alert topic).")
    var topic: String?

    @Option(help: "Join this consumer group and commit what was printed.")
    var group: String?

    @Flag(help: "Start at the oldest record (with --group: when the group has no committed offset).")
    var fromBeginning = false

    @Option(help: "json: one record per line. pretty: indented, for reading.")
    var format: OutputFormat = .json

    @Option(help: ArgumentHelp("Exit after printing this many records.", valueName: "N"))
    var max: Int?

    @Option(help: ArgumentHelp("Exit after this many seconds without a new record.", valueName: "seconds"))
    var idleTimeout: Double?

    mutating func validate() throws {
        if let max, max <= 0 { throw ValidationError("--max must be positive") }
        if let idleTimeout, idleTimeout <= 0 { throw ValidationError("--idle-timeout must be positive") }
        guard topic != nil || kafka.topology != nil else { throw ValidationError("give --topic name or --topology file") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-subscribe") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        let shutdown = ShutdownSignal()
        let target = try kafka.target()
        guard let topic = topic ?? target.topology?.topics.alerts.name else {
            throw ValidationError("give --topic name or --topology file")
        }
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: target.bootstrapServers,
            groupID: group ?? "driftline-subscribe-\(UUID().uuidString.lowercased())")
        configuration.clientID = "driftline-subscribe"
        configuration.autoOffsetReset = fromBeginning ? .earliest : .latest
        configuration.queuedMinMessages = 100_000
        // A topic at large: everything, as it arrives. A topology's topic: what its stages
        // committed (the same records when it runs at-least-once).
        configuration.isolationLevel = target.topology == nil ? .readUncommitted : .readCommitted
        target.configure(&configuration)
        let consumer = try KafkaConsumer(configuration: configuration)

        if group != nil {
            try consumer.subscribe(topics: [topic])
        } else {
            guard let partitions = try waitForPartitions(consumer, topic: topic, shutdown: shutdown) else { return }
            let start: KafkaOffset = fromBeginning ? .beginning : .end
            try consumer.assign(partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0, offset: start) })
        }

        var output = StandardOutput()
        var line: [UInt8] = []
        var printed = 0
        var lastRecord = ContinuousClock.now
        var lastCommit = ContinuousClock.now
        var lastWarning: String?
        while !shutdown.isRequested {
            let wanted = max.map { $0 - printed } ?? 10_000
            let batch = try consumer.poll(maxRecords: Swift.min(wanted, 10_000), timeout: .milliseconds(200))
            if let error = consumer.lastError, error.description != lastWarning {
                lastWarning = error.description
                StandardError.line("warning: \(error)")
            }
            if batch.isEmpty {
                if let idleTimeout, (ContinuousClock.now - lastRecord).seconds >= idleTimeout { break }
                continue
            }
            lastRecord = ContinuousClock.now
            for record in batch {
                line.removeAll(keepingCapacity: true)
                RecordJSON.append(record, to: &line)
                output.append(format == .pretty ? JSONText.indent(line) : line)
                output.append([UInt8(ascii: "\n")])
            }
            printed += batch.count
            // Stdout gone (e.g. `| head`): nothing more can be printed, so stop.
            guard output.flush() else { break }
            if group != nil {
                try consumer.storeOffsets(for: batch)
                if (ContinuousClock.now - lastCommit).seconds >= 1 {
                    try consumer.commitAsync()
                    lastCommit = ContinuousClock.now
                }
            }
            if let max, printed >= max { break }
        }
        if group != nil {
            do { try consumer.commit() } catch { StandardError.line("warning: final commit failed: \(error)") }
        }
        try consumer.close()
        if shutdown.isRequested { StandardError.line("stopped on \(shutdown.signalName) after \(printed) records") }
    }

    /// The topic's partition ids once the cluster knows the topic, waiting for it to appear.
    private func waitForPartitions(_ consumer: KafkaConsumer, topic: String, shutdown: ShutdownSignal) throws -> [Int32]? {
        var announced = false
        while !shutdown.isRequested {
            let metadata = try consumer.metadata(timeout: .seconds(10))
            if let found = metadata.topic(topic), found.error == nil, !found.partitions.isEmpty {
                return found.partitions.map(\.id)
            }
            if !announced {
                StandardError.line("waiting for topic \(topic) to exist")
                announced = true
            }
            usleep(500_000)
        }
        return nil
    }
}
