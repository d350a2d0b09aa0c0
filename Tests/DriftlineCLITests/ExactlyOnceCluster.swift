import Dispatch
import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The set-up every `guarantee: exactly_once` test with real `driftline stage` processes
/// shares: six topics of `partitions` partitions, an exactly-once topology over them in a
/// temporary directory, the events (a fixture's lines, event `i` to events partition
/// `i % partitions`), the stage processes, and the readers the assertions need (outputs per
/// source offset, committed offsets, the uninterrupted runs to compare with).
struct ExactlyOnceCluster {
    let servers: String
    let name: String
    let directory: URL
    let topologyURL: URL
    let topology: Topology
    let partitions: Int
    let lines: [String]

    /// On `broker`, with `ExactlyOnceStageTests.eventCount` events unless `events` is given.
    init(
        broker: TestBroker, prefix: String, partitions: Int = 1, events: Int? = nil,
        fixture: String = "phishing.jsonl", firstLine: Int = 0, publishEvery: Int = 2000, detect: String? = nil,
        kafka: [String] = []
    ) throws {
        try self.init(
            servers: broker.bootstrapServers, prefix: prefix, partitions: partitions,
            events: events ?? ExactlyOnceStageTests.eventCount(broker.kind), fixture: fixture, firstLine: firstLine,
            publishEvery: publishEvery, detect: detect, kafka: kafka,
            createTopic: { try broker.createTopic($0, partitions: $1) })
    }

    /// `events` lines of `fixture` from `firstLine` on (wrapping around); `detect`: the
    /// flow-style settings of a detect stage, if the topology has one; `publishEvery`: the
    /// learner's `publish.every_events`; `kafka`: the topology's `kafka:` entries, flow style
    /// (`"partition.assignment.strategy: cooperative-sticky"`).
    init(
        servers: String, prefix: String, partitions: Int = 1, events: Int, fixture: String = "phishing.jsonl",
        firstLine: Int = 0, publishEvery: Int = 2000, detect: String? = nil, kafka: [String] = [],
        createTopic: (_ name: String, _ partitions: Int) throws -> Void
    ) throws {
        self.servers = servers
        self.partitions = partitions
        let name = "\(prefix)\(UUID().uuidString.prefix(6).lowercased())"
        self.name = name
        // The stages create the detect changelog themselves; that is part of what is tested.
        let topicNames = TopologyTopics(defaultsFor: name).all.map(\.name)
        for topic in topicNames { try createTopic(topic, partitions) }
        let body = """
            name: \(name)
            brokers: "\(servers)"
            guarantee: exactly_once
            topics:
            \(zip(TopologyTopics.keys, topicNames).map { "  \($0): {name: \($1), partitions: \(partitions)}" }.joined(separator: "\n"))
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn:
                model: logistic_regression
                optimizer: {name: sgd, lr: 0.1}
                publish: {every_events: \(publishEvery), every_seconds: 3600}
            """ + (detect.map { "\n  detect: \($0)" } ?? "")
        // DRIFTLINE_TEST_KAFKA_DEBUG=broker,eos,… turns on librdkafka's debug log in the stages.
        let debug = ProcessInfo.processInfo.environment["DRIFTLINE_TEST_KAFKA_DEBUG"].map { "debug: \"\($0)\"" }
        let settings = kafka + (debug.map { [$0] } ?? [])
        let yaml = body + (settings.isEmpty ? "" : "\nkafka: {\(settings.joined(separator: ", "))}")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-eos-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        topologyURL = directory.appendingPathComponent("topology.yaml")
        try yaml.write(to: topologyURL, atomically: true, encoding: .utf8)
        topology = try Topology.parse(yaml: yaml)
        let source = try Fixtures.lines(fixture)
        lines = (0..<events).map { source[(firstLine + $0) % source.count] }
    }

    func topic(_ suffix: String) -> String { "\(name).\(suffix)" }

    /// The events in events partition `partition`.
    func count(in partition: Int) -> Int { (lines.count - partition + partitions - 1) / partitions }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    func start(_ stage: String, suffix: String = "", group: String? = nil) throws -> StageProcess {
        try StageProcess(
            stage: stage, topology: topologyURL.path, directory: directory, suffix: suffix,
            extraArguments: group.map { ["--group", $0] } ?? [])
    }

    /// Produces events `range` of `lines`, event `i` to events partition `i % partitions`.
    func produce(_ range: Range<Int>) async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: servers)
        configuration.lingerMilliseconds = 1
        configuration.messageTimeoutMilliseconds = 60_000
        let producer = try KafkaProducer(configuration: configuration)
        defer { producer.close() }
        for index in range {
            try producer.enqueue(
                topic: topic("events"), key: nil, value: Array(lines[index].utf8),
                partition: Int32(index % partitions), deliveryTag: UInt64(index))
        }
        try await producer.flush(timeout: .seconds(60))
    }

    func consumerConfiguration(group: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: group)
        configuration.sessionTimeoutMilliseconds = 6000
        configuration.heartbeatIntervalMilliseconds = 500
        configuration.autoOffsetReset = .earliest
        return configuration
    }

    /// Every record of `topic` (read_committed, which on Tansu still shows aborted records),
    /// read off the cooperative pool.
    func read(_ topic: String) async throws -> [KafkaConsumerRecord] {
        let configuration = consumerConfiguration(group: "reader-\(UUID().uuidString)")
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try KafkaStateRestorer(configuration: configuration).records(in: topic) })
            }
        }
    }

    /// The output records of `suffix`'s topic by the source event they are about
    /// (`PARTITION/OFFSET` of the events topic), expecting every copy of one (a copy from an
    /// aborted transaction, visible on Tansu and the mock) to be byte-identical.
    func outputsBySource(_ suffix: String) async throws -> [String: [UInt8]] {
        var bySource: [String: [UInt8]] = [:]
        for record in try await read(topic(suffix)) {
            let source = try Self.source(of: record, in: suffix)
            let id = "\(source.partition)/\(source.offset)"
            if let earlier = bySource[id] {
                #expect(earlier == record.value, "two different \(suffix) records for source event \(id)")
            } else {
                bySource[id] = record.value
            }
        }
        return bySource
    }

    /// Where a features or predictions record came from.
    static func source(of record: KafkaConsumerRecord, in suffix: String) throws -> SourcePosition {
        suffix == "features"
            ? try FeaturesRecord(decoding: record.value).source : try PredictionRecord(decoding: record.value).source
    }

    /// Distinct source events with a record in `suffix`'s topic (predictions by default),
    /// polled until `count` or `timeout`.
    func waitForOutputs(_ count: Int, in suffix: String = "predictions", timeout: Duration) async throws -> Int {
        // Each poll reads the whole topic: poll less often on large runs.
        try await waitForSources(in: suffix, reaching: count, timeout: timeout, pause: .milliseconds(count > 50_000 ? 3000 : 300)) {
            $0.values.reduce(0) { $0 + $1.count }
        }
    }

    /// Distinct source events with a record in `suffix`'s topic in the source partition that has
    /// the fewest, polled until every partition has `each` or `timeout`.
    func waitForOutputs(each: Int, in suffix: String = "predictions", timeout: Duration) async throws -> Int {
        try await waitForSources(in: suffix, reaching: each, timeout: timeout, pause: .milliseconds(300), fewest)
    }

    /// The fewest offsets any of the topology's partitions has in `byPartition`.
    func fewest(_ byPartition: [Int32: Set<Int64>]) -> Int {
        (0..<Int32(partitions)).map { byPartition[$0]?.count ?? 0 }.min() ?? 0
    }

    /// Reads `suffix`'s topic every `pause` until `measure` of its distinct source offsets per
    /// source partition reaches `goal` or `timeout` passes; returns the last measure.
    private func waitForSources(
        in suffix: String, reaching goal: Int, timeout: Duration, pause: Duration,
        _ measure: ([Int32: Set<Int64>]) -> Int
    ) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var measured = 0
        while ContinuousClock.now < deadline {
            var sources: [Int32: Set<Int64>] = [:]
            for record in try await read(topic(suffix)) {
                let source = try Self.source(of: record, in: suffix)
                sources[source.partition, default: []].insert(source.offset)
            }
            measured = measure(sources)
            if measured >= goal { break }
            try await Task.sleep(for: pause)
        }
        return measured
    }

    /// Distinct source events with a prediction, polled until `count` or `timeout`.
    func waitForPredictions(_ count: Int, timeout: Duration) async throws -> Int {
        try await waitForOutputs(count, timeout: timeout)
    }

    /// The uninterrupted run of a one-partition topology: the chain `driftline evaluate`
    /// computes over the same events.
    func evaluate(_ lines: [String]) throws -> ModelDocument {
        var evaluation = PrequentialEvaluation(topology: topology)
        for line in lines { _ = evaluation.process(try JSONEventParser.parse(line)) }
        return try #require(evaluation.modelDocument)
    }

    /// The uninterrupted learner over events partition `partition`, at the positions the
    /// stage sees them (the events' offsets in that partition, in order).
    func uninterrupted(partition: Int) throws -> ModelDocument {
        var learner = PrequentialLearner(
            name: topology.name, configuration: try #require(topology.modelPipelineConfiguration()),
            publishEvery: topology.stages.learn?.publish.everyEvents)
        var offset = 0
        for index in stride(from: partition, to: lines.count, by: partitions) {
            _ = try learner.step(
                try JSONEventParser.parse(lines[index]),
                at: InputPosition(topic: topic("events"), partition: partition, offset: offset), documents: false)
            offset += 1
        }
        return learner.document
    }

    /// The group's committed offset for `partition` of `topic`, nil when none.
    func committed(group: String, topic: String, partition: Int = 0) throws -> Int64? {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(group: group))
        defer { try? consumer.close() }
        let offset = try consumer.committed([KafkaTopicPartition(topic: topic, partition: Int32(partition))]).first?.offset
        return offset.flatMap { $0.isConcrete ? $0.rawValue : nil }
    }

    /// The group's committed offset on `partition` of `topic`, polled until it reaches
    /// `atLeast` or `timeout` passes; -1 when none.
    func waitForCommitted(
        group: String, topic: String, partition: Int = 0, atLeast: Int64, timeout: Duration
    ) async throws -> Int64 {
        let deadline = ContinuousClock.now + timeout
        var offset: Int64 = -1
        while ContinuousClock.now < deadline {
            offset = try committed(group: group, topic: topic, partition: partition) ?? -1
            if offset >= atLeast { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        return offset
    }

    /// The restores the processes logged (assignment → first processed record), one line each,
    /// prefixed with the process's name.
    static func restores(_ processes: [(name: String, process: StageProcess)]) -> [String] {
        processes.flatMap { name, process in
            process.stderr().split(separator: "\n").filter { $0.contains("from assignment to first processed record") }
                .map { "\(name): \($0)" }
        }
    }
}
