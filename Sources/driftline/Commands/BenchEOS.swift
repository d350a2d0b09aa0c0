import ArgumentParser
import Foundation
import Kafka
import Pipeline

/// `driftline bench eos`: the transform → learn chain under `exactly_once` against the same
/// chain under `at_least_once`, in one invocation on one broker, plus the exactly-once restore
/// time of a learner that takes over mid-stream (assignment → first record past the catch-up).
struct BenchEOS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eos",
        abstract: "Exactly-once vs at-least-once chain throughput, and the exactly-once restore time.",
        discussion: """
            Each repetition pre-loads EVENTS phishing events into fresh topics, then runs a \
            transform and a learn runner in this process and times from the transform's first \
            record to the learner's last (group joins excluded). Modes alternate within each \
            repetition; medians are reported. Without --brokers an embedded broker is hosted \
            here (it keeps only ~5 MiB per partition: keep EVENTS × 300 B / partitions under it).
            """
    )

    @Option(help: "Bootstrap servers (default: an embedded broker in this process).")
    var brokers: String?

    @Option(help: "Events per run.")
    var events = 100_000

    @Option(help: "Partitions per topic.")
    var partitions = 4

    @Option(help: "Repetitions (medians reported).")
    var repetitions = 3

    @Option(name: .customLong("commit-interval-ms"), help: "Commit (transaction) interval in milliseconds.")
    var commitIntervalMilliseconds = 100

    @Option(name: .customLong("every-events"), help: "publish.every_events of the learner.")
    var everyEvents = 5000

    func run() async throws {
        let embedded = brokers == nil ? try EmbeddedBroker() : nil
        defer { embedded?.shutdown() }
        let servers = brokers ?? embedded!.bootstrapServers
        let lines = try Self.phishing()
        let events = (0..<events).map { lines[$0 % lines.count] }
        var rates: [ProcessingGuarantee: [Double]] = [:]
        var restores: [Double] = []
        var caughtUp: [Int] = []
        for repetition in 0..<repetitions {
            for guarantee in [ProcessingGuarantee.atLeastOnce, .exactlyOnce] {
                let run = try await runChain(
                    guarantee: guarantee, events: events, servers: servers, embedded: embedded, repetition: repetition)
                rates[guarantee, default: []].append(run.rate)
                print(String(format: "run %d %@: %.0f events/s", repetition + 1, guarantee.rawValue, run.rate))
                if let restore = run.restoreMilliseconds {
                    restores.append(restore)
                    caughtUp.append(run.caughtUp)
                    print(String(format: "run %d exactly_once restore: %.1f ms (%d records re-processed)", repetition + 1, restore, run.caughtUp))
                }
            }
        }
        let alo = Self.median(rates[.atLeastOnce] ?? [])
        let eos = Self.median(rates[.exactlyOnce] ?? [])
        print("")
        print("broker: \(brokers ?? "embedded"), events \(events.count), partitions \(partitions), commit interval \(commitIntervalMilliseconds) ms, every_events \(everyEvents)")
        print(String(format: "at_least_once median: %.0f events/s", alo))
        print(String(format: "exactly_once median:  %.0f events/s  (%.2f× at-least-once; bar ≥ 0.80×)", eos, eos / alo))
        if !restores.isEmpty {
            print(String(format: "exactly_once learner restore median: %.1f ms from assignment to first processed record", Self.median(restores)))
        }
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            print("load average: \(load.split(separator: " ").prefix(3).joined(separator: " "))")
        }
    }

    struct Run {
        var rate: Double
        var restoreMilliseconds: Double?
        var caughtUp = 0
    }

    private func runChain(
        guarantee: ProcessingGuarantee, events: [String], servers: String, embedded: EmbeddedBroker?, repetition: Int
    ) async throws -> Run {
        let name = "bench-eos-\(guarantee == .exactlyOnce ? "eo" : "al")-\(repetition)-\(UUID().uuidString.prefix(6).lowercased())"
        let topicNames = TopologyTopics(defaultsFor: name).all.map(\.name)
        let yaml = """
            name: \(name)
            brokers: "\(servers)"
            guarantee: \(guarantee.rawValue)
            topics:
            \(zip(TopologyTopics.keys, topicNames).map { "  \($0): {name: \($1), partitions: \(partitions)}" }.joined(separator: "\n"))
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn:
                model: logistic_regression
                optimizer: {name: sgd, lr: 0.1}
                publish: {every_events: \(everyEvents), every_seconds: 3600}
            """
        let topology = try Topology.parse(yaml: yaml)
        if let embedded {
            try embedded.createTopics(topology.topicsToCreate)
        } else {
            try await KafkaAdmin(bootstrapServers: servers).createTopics(topology.topicsToCreate)
        }
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: servers)
        producerConfiguration.properties["sticky.partitioning.linger.ms"] = "0"
        let producer = try KafkaProducer(configuration: producerConfiguration)
        for (index, line) in events.enumerated() {
            try producer.enqueue(
                topic: "\(name).events", key: Array(String(index).utf8), value: Array(line.utf8), deliveryTag: UInt64(index))
        }
        try await producer.flush(timeout: .seconds(120))
        producer.close()

        func runner(_ stage: BuiltInStage, group: String? = nil) throws -> StageRunner {
            var configuration = BuiltInStages.runnerConfiguration(
                for: stage, topology: topology, bootstrapServers: servers, groupID: group)
            configuration.consumer.sessionTimeoutMilliseconds = 6000
            configuration.consumer.heartbeatIntervalMilliseconds = 500
            configuration.commitInterval = .milliseconds(commitIntervalMilliseconds)
            return StageRunner(configuration: configuration, factory: try BuiltInStages.factory(for: stage, topology: topology))
        }
        let transform = try runner(.transform)
        let learn = try runner(.learn)
        let tasks = [transform, learn].map { runner in Task { try await runner.run() } }
        let clock = ContinuousClock()
        var start: ContinuousClock.Instant?
        let deadline = clock.now + .seconds(600)
        while learn.statistics.recordsIn < events.count {
            if start == nil, transform.statistics.recordsIn > 0 { start = clock.now }
            if let failure = transform.statistics.failure ?? learn.statistics.failure { throw ReplayError(failure) }
            guard clock.now < deadline else { throw ReplayError("the chain did not finish in 600 s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = (start ?? clock.now).duration(to: clock.now)
        var run = Run(rate: Double(events.count) / Self.seconds(elapsed))

        learn.shutdown()
        transform.shutdown()
        for task in tasks { try await task.value }
        if guarantee == .exactlyOnce {
            // Restore: more events, a new transform, then a new learner in the same group; it
            // restores the model and is timed from assignment to its first record.
            let more = try KafkaProducer(configuration: producerConfiguration)
            for index in 0..<1000 {
                try more.enqueue(
                    topic: "\(name).events", key: Array(String(index).utf8), value: Array(events[index].utf8),
                    deliveryTag: UInt64(index))
            }
            try await more.flush(timeout: .seconds(60))
            more.close()
            let transform2 = try runner(.transform)
            let transformTask = Task { try await transform2.run() }
            while transform2.statistics.recordsIn < 1000 && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            let successor = try runner(.learn)
            let task = Task { try await successor.run() }
            while successor.statistics.lastRestore == nil {
                if let failure = successor.statistics.failure { throw ReplayError(failure) }
                guard clock.now < deadline else { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            if let restore = successor.statistics.lastRestore {
                run.restoreMilliseconds = Self.seconds(restore) * 1000
                run.caughtUp = successor.statistics.caughtUp
            }
            successor.shutdown()
            transform2.shutdown()
            try await task.value
            try await transformTask.value
        }
        return run
    }

    static func phishing() throws -> [String] {
        let candidates = ["Tests/Fixtures/phishing.jsonl", "data/phishing.jsonl"]
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        throw ValidationError("run from the repository root (needs Tests/Fixtures/phishing.jsonl)")
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
