import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// Rebalance and scale-out under `guarantee: exactly_once`: four features partitions move among
/// two and then three `driftline stage learn` processes — one joins (scale-out), one is killed
/// with SIGKILL, one stops with SIGTERM and another takes its place — while events flow. Each
/// model key must end bit-identical to an uninterrupted learner over its partition, the learn
/// group's committed offsets must equal the lineage of each key's last document, and every
/// event must have a prediction (copies from aborted transactions identical, as Tansu shows
/// them: docs/guarantees.md).
///
/// Tansu only: the mock stores no transactional offsets and does not fence, so the properties
/// asserted here do not hold there (the one-partition tests cover what the mock honours).
@Suite(.serialized) struct ExactlyOnceRebalanceTests {
    static let partitions = 4
    static let events = 4000

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10 (scripts/brokers-env)"))
    func learnerTasksMovingAmongThreeInstancesEndWithTheUninterruptedModels_tansu() async throws {
        try await withBroker(.tansu) { broker in
            let fixture = try RebalanceFixture(broker: broker, partitions: Self.partitions, events: Self.events)
            defer { try? FileManager.default.removeItem(at: fixture.directory) }
            let transform = try fixture.start("transform")
            var learners = [try fixture.start("learn", suffix: "0"), try fixture.start("learn", suffix: "1")]
            defer {
                transform.kill()
                for learner in learners { learner.kill() }
            }
            let chunk = fixture.lines.count / 4
            func feed(_ index: Int) async throws {
                try await fixture.produce(index * chunk..<(index == 3 ? fixture.lines.count : (index + 1) * chunk))
                let target = index == 3 ? fixture.lines.count : (index + 1) * chunk - chunk / 2
                let seen = try await fixture.waitForPredictions(target, timeout: .seconds(90))
                #expect(seen >= target, "predictions stalled at \(seen) during chunk \(index + 1)")
            }
            // Two instances share the four tasks; a third joins (scale-out).
            try await feed(0)
            learners.append(try fixture.start("learn", suffix: "2"))
            // The first is killed: its tasks move to the other two once the group notices.
            try await feed(1)
            learners[0].kill()
            _ = try await learners[0].waitForExit(timeout: .seconds(10))
            // The second stops cleanly (revocation commits and publishes) and a fourth joins.
            try await feed(2)
            learners[1].terminate()
            #expect(try await learners[1].waitForExit(timeout: .seconds(60)) == 0, "\(learners[1].stderr())")
            learners.append(try fixture.start("learn", suffix: "3"))
            try await feed(3)

            let survivors = [transform, learners[2], learners[3]]
            for process in survivors { process.terminate() }
            for process in survivors {
                #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
            }

            // No input lost: every event has a prediction; copies (aborted transactions) identical.
            var bySource: [String: [UInt8]] = [:]
            for record in try await fixture.read(fixture.topic("predictions")) {
                let source = try PredictionRecord(decoding: record.value).source
                let id = "\(source.partition)/\(source.offset)"
                if let earlier = bySource[id] {
                    #expect(earlier == record.value ?? [], "two different predictions for event \(id)")
                } else {
                    bySource[id] = record.value ?? []
                }
            }
            #expect(bySource.count == fixture.lines.count, "every event has a prediction")

            // Each key's last document equals the uninterrupted learner's over its partition, and
            // the committed input offset equals that document's recorded input position.
            let models = try await fixture.read(fixture.topic("models"))
            for partition in 0..<Self.partitions {
                let key = BuiltInStages.modelKey(topology: fixture.topology, featuresPartition: Int32(partition))
                let last = try #require(models.last { $0.key == Array(key.utf8) }, "no document for \(key)")
                let final = try ModelDocument(decoding: String(decoding: try #require(last.value), as: UTF8.self))
                let expected = try fixture.uninterrupted(partition: partition)
                #expect(final.contentHash == expected.contentHash, "model \(key) differs from the uninterrupted run")
                #expect(final.pipeline.eventsLearned == expected.pipeline.eventsLearned)
                let lineageNext = last.headers.last { $0.name == ModelRecordHeaders.inputNextOffset }?.stringValue
                    .flatMap(Int64.init)
                let committed = try fixture.committed(
                    group: "\(fixture.name).learn", topic: fixture.topic("features"), partition: partition)
                #expect(committed == lineageNext, "committed offset of features[\(partition)]")
                #expect(
                    try fixture.committed(group: "\(fixture.name).transform", topic: fixture.topic("events"), partition: partition)
                        == Int64(fixture.count(in: partition)))
            }

            // The restore time of each move, as the stage processes logged it.
            let restores = learners.enumerated().flatMap { index, learner in
                learner.stderr().split(separator: "\n").filter { $0.contains("from assignment to first processed record") }
                    .map { "learn\(index): \($0)" }
            }
            print("restores:\n" + restores.joined(separator: "\n"))
            #expect(restores.count >= learners.count, "every instance logged at least one restore")
        }
    }
}

/// Topics with `partitions` partitions, the topology file, the events (spread round-robin over
/// the events partitions) and the readers of one rebalance test.
struct RebalanceFixture {
    let servers: String
    let name: String
    let directory: URL
    let topologyURL: URL
    let topology: Topology
    let partitions: Int
    let lines: [String]

    init(broker: TestBroker, partitions: Int, events: Int) throws {
        servers = broker.bootstrapServers
        self.partitions = partitions
        let name = "rb\(UUID().uuidString.prefix(6).lowercased())"
        self.name = name
        let roles = ["events", "features", "predictions", "models", "alerts", "dead_letters"]
        let suffixes = ["events", "features", "predictions", "models", "drift-alerts", "dlq"]
        for suffix in suffixes { try broker.createTopic("\(name).\(suffix)", partitions: partitions) }
        let yaml = """
            name: \(name)
            brokers: "\(servers)"
            guarantee: exactly_once
            topics:
            \(zip(roles, suffixes).map { "  \($0): {name: \(name).\($1), partitions: \(partitions)}" }.joined(separator: "\n"))
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn:
                model: logistic_regression
                optimizer: {name: sgd, lr: 0.1}
                publish: {every_events: 300, every_seconds: 3600}
            """
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-rebalance-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        topologyURL = directory.appendingPathComponent("topology.yaml")
        try yaml.write(to: topologyURL, atomically: true, encoding: .utf8)
        topology = try Topology.parse(yaml: yaml)
        let phishing = try Fixtures.lines("phishing.jsonl")
        lines = (0..<events).map { phishing[$0 % phishing.count] }
    }

    func topic(_ suffix: String) -> String { "\(name).\(suffix)" }

    /// Event `index` goes to events partition `index % partitions`.
    func count(in partition: Int) -> Int { (0..<lines.count).filter { $0 % partitions == partition }.count }

    func start(_ stage: String, suffix: String = "") throws -> StageProcess {
        try StageProcess(stage: stage, topology: topologyURL.path, directory: directory, suffix: suffix)
    }

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
        return configuration
    }

    func read(_ topic: String) async throws -> [KafkaConsumerRecord] {
        let configuration = consumerConfiguration(group: "reader-\(UUID().uuidString)")
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try KafkaStateRestorer(configuration: configuration).records(in: topic) })
            }
        }
    }

    /// Distinct events with a prediction, polled until `count` or `timeout`.
    func waitForPredictions(_ count: Int, timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var seen = 0
        while ContinuousClock.now < deadline {
            seen = Set(try await read(topic("predictions")).map {
                let source = try PredictionRecord(decoding: $0.value).source
                return "\(source.partition)/\(source.offset)"
            }).count
            if seen >= count { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        return seen
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

    func committed(group: String, topic: String, partition: Int) throws -> Int64? {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(group: group))
        defer { try? consumer.close() }
        let offset = try consumer.committed([KafkaTopicPartition(topic: topic, partition: Int32(partition))]).first?.offset
        return offset.flatMap { $0.isConcrete ? $0.rawValue : nil }
    }
}
