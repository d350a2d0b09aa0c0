import ArgumentParser
import Foundation
import Kafka
import OnlineML
import Pipeline

/// `driftline bench restore`: how long an exactly-once learner takes, from the assignment of its
/// partition to its first processed record, to restore a large model (1M weights by default).
///
/// The model arises as in production: events with many unique categorical values go through
/// a transform and a learn runner (hashing into 2^20 buckets) until the learner publishes one
/// version holding every bucket it saw. Then, per repetition, one more event is produced and a
/// fresh learner joins the group: its restore reads the document from the models topic,
/// parses it, verifies its content hash and rebuilds the model before the first record.
struct BenchRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore time of a learner with a large model (assignment → first processed record).",
        discussion: """
            Needs a broker that keeps records of tens of MB (Tansu; the embedded broker keeps \
            only ~5 MiB per partition). Reports each repetition's restore time from the \
            runner's statistics, then a breakdown measured in this process: reading the latest \
            document back from the models topic, and decoding it (parse, hash check, rebuild).
            """
    )

    @Option(help: "Bootstrap servers of a broker that accepts large records (e.g. Tansu).")
    var brokers: String?

    @Option(help: "Only time decoding this model document file (no broker), --repetitions times.")
    var document: String?

    @Option(help: "Training events (each with --fields unique categorical values).")
    var events = 66_000

    @Option(help: "Categorical fields per event.")
    var fields = 50

    @Option(name: .customLong("hash-bits"), help: "Hash buckets are 2^BITS (categorical: hash).")
    var hashBits = 20

    @Option(help: "Optimizer of the learner (sgd keeps no per-weight state; adagrad one array, adam two).")
    var optimizer = "sgd"

    @Option(help: "Restores measured (medians reported).")
    var repetitions = 3

    @Option(name: .customLong("consumer"), help: ArgumentHelp("A librdkafka property for the stages' consumers (repeatable).", valueName: "key=value"))
    var consumerProperties: [String] = []

    func run() async throws {
        if let document {
            let text = try String(contentsOfFile: document, encoding: .utf8)
            let clock = ContinuousClock()
            var times: [Double] = []
            for _ in 0..<repetitions {
                let start = clock.now
                let decoded = try ModelDocument(decoding: text)
                times.append(BenchEOS.seconds(start.duration(to: clock.now)) * 1000)
                precondition(decoded.pipeline.vocabulary.count > 0)
            }
            print(String(format: "decode median: %.0f ms (%@) for %d bytes", BenchEOS.median(times),
                         times.map { String(format: "%.0f", $0) }.joined(separator: ", "), text.utf8.count))
            return
        }
        guard let brokers else { throw ValidationError("--brokers is required (or --document)") }
        let name = "bench-restore-\(UUID().uuidString.prefix(6).lowercased())"
        let roles = ["events", "features", "predictions", "models", "alerts", "dead_letters"]
        let suffixes = ["events", "features", "predictions", "models", "drift-alerts", "dlq"]
        let admin = try KafkaAdmin(bootstrapServers: brokers)
        try await admin.createTopics(suffixes.map { suffix in
            KafkaNewTopic(
                name: "\(name).\(suffix)", partitions: 1,
                configs: suffix == "models" ? ModelRecordLimits.topicConfig : [:])
        })
        let categorical = (0..<fields).map { "c\($0)" }
        let yaml = """
            name: \(name)
            brokers: "\(brokers)"
            guarantee: exactly_once
            topics:
            \(zip(roles, suffixes).map { "  \($0): {name: \(name).\($1), partitions: 1}" }.joined(separator: "\n"))
            schema: {target: y, categorical: [\(categorical.joined(separator: ", "))]}
            stages:
              transform: {scale: standard, categorical: hash, hash_bits: \(hashBits)}
              learn:
                model: logistic_regression
                optimizer: {name: \(optimizer)}
                publish: {every_events: \(events), every_seconds: 86400}
            """
        let topology = try Topology.parse(yaml: yaml)
        let clock = ContinuousClock()

        print("training: \(events) events × \(fields) unique categorical values, 2^\(hashBits) buckets, optimizer \(optimizer)")
        try await produce((0..<events).map(event), topic: "\(name).events")
        let trainingStart = clock.now
        let transform = try runner(.transform, topology)
        let learn = try runner(.learn, topology)
        let trainingTasks = [transform, learn].map { runner in Task { try await runner.run() } }
        try await wait(until: { learn.statistics.recordsIn >= events }, runners: [transform, learn], clock: clock)
        learn.shutdown()
        transform.shutdown()
        for task in trainingTasks { try await task.value }
        print(String(format: "trained in %.1f s", BenchEOS.seconds(trainingStart.duration(to: clock.now))))

        var restores: [Double] = []
        for repetition in 0..<repetitions {
            // One more event, through a fresh transform (which restores its transformer from the
            // same document), then a fresh learner: its restore is what is timed.
            try await produce([event(events + repetition)], topic: "\(name).events")
            let transform = try runner(.transform, topology)
            let transformTask = Task { try await transform.run() }
            try await wait(until: { transform.statistics.recordsIn >= 1 }, runners: [transform], clock: clock)
            let successor = try runner(.learn, topology)
            let task = Task { try await successor.run() }
            try await wait(until: { successor.statistics.lastRestore != nil }, runners: [successor], clock: clock)
            let restore = BenchEOS.seconds(successor.statistics.lastRestore!) * 1000
            restores.append(restore)
            print(String(format: "restore %d: %.0f ms from assignment to first processed record (%d re-processed)",
                         repetition + 1, restore, successor.statistics.caughtUp))
            successor.shutdown()
            transform.shutdown()
            try await task.value
            try await transformTask.value
        }

        // Breakdown, in this process: read back the latest document, then decode it.
        var consumer = KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: "\(name).breakdown")
        consumer.isolationLevel = .readCommitted
        let restorer = KafkaStateRestorer(configuration: consumer)
        let key = Array(BuiltInStages.modelKey(topology: topology, featuresPartition: 0).utf8)
        var start = clock.now
        guard let record = try restorer.latestRecord(in: "\(name).models", key: key) else {
            throw ValidationError("no model document was published")
        }
        let read = BenchEOS.seconds(start.duration(to: clock.now)) * 1000
        start = clock.now
        let document = try ModelDocument(decoding: String(decoding: record.value, as: UTF8.self))
        let decode = BenchEOS.seconds(start.duration(to: clock.now)) * 1000
        start = clock.now
        let json = try CanonicalJSON.parse(String(decoding: record.value, as: UTF8.self))
        let parse = BenchEOS.seconds(start.duration(to: clock.now)) * 1000
        start = clock.now
        _ = try ModelDocument(json: json, verifyHash: false)
        let rebuild = BenchEOS.seconds(start.duration(to: clock.now)) * 1000
        start = clock.now
        let encoded = document.encoded()
        let encode = BenchEOS.seconds(start.duration(to: clock.now)) * 1000

        print("")
        print("broker: \(brokers); model: \(document.pipeline.vocabulary.count) weights, optimizer \(optimizer), document \(record.value.count) bytes")
        print(String(format: "learner restore median: %.0f ms from assignment to first processed record (bar ≤ 1000 ms); runs: %@",
                     BenchEOS.median(restores), restores.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
        print(String(format: "breakdown: read latest document %.0f ms, decode %.0f ms (parse %.0f, rebuild %.0f, hash check the rest); encode %.0f ms (%d bytes)",
                     read, decode, parse, rebuild, encode, encoded.utf8.count))
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            print("load average: \(load.split(separator: " ").prefix(3).joined(separator: " "))")
        }
    }

    /// Event `index`: a label and `fields` categorical values never seen before.
    private func event(_ index: Int) -> String {
        var fieldsJSON = ""
        for f in 0..<fields { fieldsJSON += ",\"c\(f)\":\"v\(index * fields + f)\"" }
        return "{\"y\":\((index &* 2_654_435_761) >> 7 & 1 == 0 ? "true" : "false")\(fieldsJSON)}"
    }

    private func produce(_ lines: [String], topic: String) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: brokers!))
        for (index, line) in lines.enumerated() {
            try producer.enqueue(topic: topic, key: nil, value: Array(line.utf8), deliveryTag: UInt64(index))
        }
        try await producer.flush(timeout: .seconds(300))
        producer.close()
    }

    private func runner(_ stage: BuiltInStage, _ topology: Topology) throws -> StageRunner {
        var configuration = BuiltInStages.runnerConfiguration(for: stage, topology: topology, bootstrapServers: brokers!)
        configuration.consumer.sessionTimeoutMilliseconds = 6000
        configuration.consumer.heartbeatIntervalMilliseconds = 500
        for property in consumerProperties {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { configuration.consumer.properties[parts[0]] = parts[1] }
        }
        return StageRunner(configuration: configuration, factory: try BuiltInStages.factory(for: stage, topology: topology))
    }

    private func wait(
        until done: () -> Bool, runners: [StageRunner], clock: ContinuousClock, limit: Duration = .seconds(900)
    ) async throws {
        let deadline = clock.now + limit
        while !done() {
            for runner in runners { if let failure = runner.statistics.failure { throw ReplayError(failure) } }
            guard clock.now < deadline else { throw ReplayError("bench restore: no progress in \(limit)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
