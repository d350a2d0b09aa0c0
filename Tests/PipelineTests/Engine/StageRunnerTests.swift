import Foundation
import Kafka
import Pipeline
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Partitions of the input topics.
private let partitions = 4

/// The stage runner on real brokers: the embedded mock cluster in this process always, Tansu
/// when `DRIFTLINE_TANSU` is set and librdkafka >= 2.10. Serialized: group joins take seconds
/// and the machine has two cores.
@Suite(.serialized) struct StageRunnerTests {
    // MARK: - A user stage end to end, and resuming at the committed offset

    @Test func userStageEndToEndThenResumeEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.endToEndThenResume($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func userStageEndToEndThenResumeTansu() async throws {
        try await withBroker(.tansu) { try await Self.endToEndThenResume($0) }
    }

    static func endToEndThenResume(_ broker: TestBroker) async throws {
        let input = uniqueName("in")
        let group = uniqueName("g")
        let topics = StageTopics(defaultsFor: uniqueName("t"))
        try broker.createTopic(input, partitions: partitions)
        try broker.createTopic(UppercaseStage.output, partitions: partitions)
        let first = (0..<200).map { (key: "k\($0)", value: "v\($0)") }
        try await produce(broker, input, first)

        let runnerA = StageRunner(
            configuration: runnerConfiguration(broker, stage: "upper", input: input, topics: topics, group: group)
        ) { _ in UppercaseStage() }
        let runA = Task { try await runnerA.run() }
        #expect(try await eventually { runnerA.statistics.recordsIn >= 200 && runnerA.statistics.inFlight == 0 })
        runnerA.shutdown()
        try await runA.value
        let statsA = runnerA.statistics
        #expect(statsA.stopped && statsA.failure == nil)
        #expect(statsA.recordsIn == 200 && statsA.recordsOut == 200 && statsA.deadLettered == 0)
        #expect(statsA.delivered == 200 && statsA.deliveryFailures == 0)
        // One input in `processingLatencySampling` is timed, the first included.
        let sampling = StageStatistics.processingLatencySampling
        #expect(statsA.processingLatency.count == (200 + sampling - 1) / sampling)

        // Shutdown committed everything it delivered: the committed offsets are the ends.
        let ends = try await endOffsets(broker, topic: input, partitions: partitions)
        #expect(ends.reduce(0, +) == 200)
        #expect(try await committedOffsets(broker, group: group, topic: input, partitions: partitions) == ends)

        // A new runner in the same group starts at the committed offsets: only new records.
        let second = (200..<250).map { (key: "k\($0)", value: "v\($0)") }
        try await produce(broker, input, second)
        let runnerB = StageRunner(
            configuration: runnerConfiguration(broker, stage: "upper", input: input, topics: topics, group: group)
        ) { _ in UppercaseStage() }
        let runB = Task { try await runnerB.run() }
        #expect(try await eventually { runnerB.statistics.recordsIn >= 50 && runnerB.statistics.inFlight == 0 })
        runnerB.shutdown()
        try await runB.value
        #expect(runnerB.statistics.recordsIn == 50, "resumed at the committed offsets")

        let outputs = try await readTopic(broker, UppercaseStage.output)
        #expect(outputs.count == 250)
        #expect(Set(outputs.map(\.valueString)) == Set((0..<250).map { "V\($0)" }))
        // Keys are kept, so each key's output lands on one partition.
        #expect(outputs.allSatisfy { $0.keyString.map { "V" + $0.dropFirst() } == $0.valueString })
    }

    // MARK: - Dead letters

    @Test func badRecordsGoToDeadLettersWithHeadersEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.deadLetters($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func badRecordsGoToDeadLettersWithHeadersTansu() async throws {
        try await withBroker(.tansu) { try await Self.deadLetters($0) }
    }

    static func deadLetters(_ broker: TestBroker) async throws {
        let input = uniqueName("in")
        let topics = StageTopics(defaultsFor: uniqueName("t"))
        try broker.createTopic(input, partitions: partitions)
        let values = (0..<100).map { index -> (key: String, value: String) in
            (key: "k\(index)", value: index % 10 == 3 ? "bad" : index % 25 == 7 ? "" : "v\(index)")
        }
        try await produce(broker, input, values)
        let rejected = values.filter { $0.value == "bad" || $0.value.isEmpty }
        try broker.createTopic(UppercaseStage.output, partitions: partitions)
        try broker.createTopic(topics.deadLetters, partitions: 1)

        let runner = StageRunner(
            configuration: runnerConfiguration(broker, stage: "upper", input: input, topics: topics, group: uniqueName("g"))
        ) { _ in UppercaseStage() }
        let run = Task { try await runner.run() }
        #expect(try await eventually { runner.statistics.recordsIn >= 100 && runner.statistics.inFlight == 0 })
        runner.shutdown()
        try await run.value
        #expect(runner.statistics.deadLettered == rejected.count)
        #expect(runner.statistics.recordsOut == 100 - rejected.count)

        let inputs = try await readTopic(broker, input)
        let dead = try await readTopic(broker, topics.deadLetters)
        #expect(dead.count == rejected.count)
        #expect(Set(dead.map(\.keyString)) == Set(rejected.map(\.key)))
        for letter in dead {
            #expect(letter.headers.map(\.name) == DeadLetterHeaders.all)
            #expect(letter.headers.string("driftline.stage") == "upper")
            let expectedError = letter.value.isEmpty ? "empty value" : "value 'bad' is not accepted"
            #expect(letter.headers.string("driftline.error") == expectedError)
            #expect(letter.headers.string("driftline.source.topic") == input)
            let partition = try #require(letter.headers.string("driftline.source.partition").flatMap { Int32($0) })
            let offset = try #require(letter.headers.string("driftline.source.offset").flatMap { Int64($0) })
            let source = try #require(inputs.first { $0.partition == partition && $0.offset == offset })
            #expect(source.key == letter.key && source.value == letter.value, "unchanged")
            #expect(source.timestampMilliseconds == letter.timestampMilliseconds)
        }
        let outputs = try await readTopic(broker, UppercaseStage.output)
        #expect(outputs.count == 100 - rejected.count)
    }

    // MARK: - Graceful shutdown on SIGTERM, final records, restore from the models topic

    @Test func sigtermShutsDownGracefullyAndTheNextRunnerRestoresEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.gracefulShutdownAndRestore($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func sigtermShutsDownGracefullyAndTheNextRunnerRestoresTansu() async throws {
        try await withBroker(.tansu) { try await Self.gracefulShutdownAndRestore($0) }
    }

    static func gracefulShutdownAndRestore(_ broker: TestBroker) async throws {
        let input = uniqueName("in")
        let group = uniqueName("g")
        let topics = StageTopics(defaultsFor: uniqueName("t"))
        try broker.createTopic(input, partitions: partitions)
        try broker.createTopic(topics.models, partitions: 2)
        try broker.createTopic(topics.alerts, partitions: 1)
        try await produce(broker, input, (0..<120).map { (key: "k\($0)", value: "v\($0)") })

        let runnerA = StageRunner(
            configuration: runnerConfiguration(broker, stage: "count", input: input, topics: topics, group: group)
        ) { _ in CountingStage() }
        let signals = ShutdownSignals { runnerA.shutdown() }
        let runA = Task { try await runnerA.run() }
        #expect(try await eventually { runnerA.statistics.recordsIn >= 120 })
        kill(getpid(), SIGTERM)
        let stopped = try await eventually { runnerA.statistics.stopped }
        #expect(stopped, "SIGTERM stopped the runner")
        if !stopped { runnerA.shutdown() }
        try await runA.value
        signals.cancel()
        #expect(runnerA.statistics.failure == nil)

        // Every task checkpointed its count and said goodbye before the commit.
        let readerConfiguration = broker.consumerConfiguration(group: uniqueName("r"))
        let modelsTopic = topics.models
        func savedCounts() async throws -> [Int] {
            try await offPool {
                let restorer = KafkaStateRestorer(configuration: readerConfiguration)
                return try (0..<Int32(partitions)).map { partition in
                    let record = try restorer.latestRecord(in: modelsTopic, key: Array(CountingStage.key(partition).utf8))
                    return record.map { Int($0.valueString.split(separator: "@")[0])! } ?? 0
                }
            }
        }
        #expect(try await savedCounts().reduce(0, +) == 120)
        let goodbyes = try await readTopic(broker, topics.alerts).filter { $0.keyString == "closed" }
        #expect(goodbyes.map(\.valueString) == Array(repeating: "shutdown", count: partitions))
        let ends = try await endOffsets(broker, topic: input, partitions: partitions)
        #expect(try await committedOffsets(broker, group: group, topic: input, partitions: partitions) == ends)

        // The next runner restores each partition's count from the models topic.
        try await produce(broker, input, (120..<160).map { (key: "k\($0)", value: "v\($0)") })
        let runnerB = StageRunner(
            configuration: runnerConfiguration(broker, stage: "count", input: input, topics: topics, group: group)
        ) { _ in CountingStage() }
        let runB = Task { try await runnerB.run() }
        #expect(try await eventually { runnerB.statistics.recordsIn >= 40 })
        runB.cancel()  // cancellation is a graceful shutdown too
        try await runB.value
        #expect(runnerB.statistics.recordsIn == 40)
        #expect(try await savedCounts().reduce(0, +) == 160)
    }

    // MARK: - Scaling out

    @Test func twoRunnersInOneGroupShareThePartitionsEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.twoRunners($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func twoRunnersInOneGroupShareThePartitionsTansu() async throws {
        try await withBroker(.tansu) { try await Self.twoRunners($0) }
    }

    static func twoRunners(_ broker: TestBroker) async throws {
        let group = try UppercaseGroup(broker)
        let runnerA = group.runner()
        let runnerB = group.runner()
        let runA = Task { try await runnerA.run() }
        let runB = Task { try await runnerB.run() }
        #expect(try await group.split(runnerA, runnerB))

        try await produce(broker, group.input, UppercaseGroup.records(0..<400))
        #expect(try await group.handled(400, by: [runnerA, runnerB]))
        runnerA.shutdown()
        runnerB.shutdown()
        try await runA.value
        try await runB.value
        #expect(runnerA.statistics.recordsIn > 0 && runnerB.statistics.recordsIn > 0)
        try await group.expectEveryOutput(of: 0..<400)
    }

    /// With `partition.assignment.strategy: cooperative-sticky` (a topology's `kafka:` setting),
    /// a second runner joining takes only the partitions that move: the first keeps its other
    /// tasks running — never revoked, never restored again — where eager rebalancing revokes
    /// and rebuilds every task on every join.
    @Test func aJoiningRunnerMovesOnlyItsPartitionsCooperativeEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.cooperativeJoin($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func aJoiningRunnerMovesOnlyItsPartitionsCooperativeTansu() async throws {
        try await withBroker(.tansu) { try await Self.cooperativeJoin($0) }
    }

    static func cooperativeJoin(_ broker: TestBroker) async throws {
        let group = try UppercaseGroup(broker)
        /// Every task built, in order: which runner, which partition.
        let builds = Mutex<[(runner: String, partition: Int32)]>([])
        func makeRunner(_ name: String) -> StageRunner {
            group.runner(strategy: "cooperative-sticky") { id in
                builds.withLock { $0.append((name, id.topicPartition.partition)) }
            }
        }

        // Runner A alone owns every partition and works through the first round.
        let runnerA = makeRunner("A")
        let runA = Task { try await runnerA.run() }
        try await produce(broker, group.input, UppercaseGroup.records(0..<200))
        #expect(try await group.handled(200, by: [runnerA]))
        #expect(UppercaseGroup.owned(runnerA).count == partitions)

        // Runner B joins: the partitions are split, and A rebuilt none of the tasks it kept.
        let runnerB = makeRunner("B")
        let runB = Task { try await runnerB.run() }
        #expect(try await group.split(runnerA, runnerB))
        try await produce(broker, group.input, UppercaseGroup.records(200..<400))
        #expect(try await group.handled(400, by: [runnerA, runnerB]))
        let final = UppercaseGroup.owned(runnerA).map { ($0.partition, "A") } + UppercaseGroup.owned(runnerB).map { ($0.partition, "B") }
        runnerA.shutdown()
        runnerB.shutdown()
        try await runA.value
        try await runB.value

        // A task is built again only by the runner it moved to. Eager rebalancing rebuilds every
        // kept task on the join (A: 0, 1, 2, 3, then its share again). A partition may move to B
        // and back when the group drops and readmits B (seen once on the embedded broker with
        // librdkafka 2.0.2): then B built it in between.
        let log = builds.withLock { $0 }
        for partition in 0..<Int32(partitions) {
            let owners = log.filter { $0.partition == partition }.map(\.runner)
            #expect(owners.first == "A", "A built every task first: \(log)")
            #expect(zip(owners, owners.dropFirst()).allSatisfy { $0 != $1 }, "partition \(partition) rebuilt where it was: \(log)")
            #expect(owners.last == Dictionary(final, uniquingKeysWith: { first, _ in first })[partition], "the last build is the owner: \(log)")
        }
        #expect(runnerB.statistics.recordsIn > 0)
        try await group.expectEveryOutput(of: 0..<400)
    }

    /// One input topic of `partitions` partitions read by `UppercaseStage` runners of one group,
    /// for the scale-out tests.
    struct UppercaseGroup {
        let broker: TestBroker
        let input = uniqueName("in")
        let group = uniqueName("g")
        let topics = StageTopics(defaultsFor: uniqueName("t"))

        init(_ broker: TestBroker) throws {
            self.broker = broker
            try broker.createTopic(input, partitions: partitions)
            try broker.createTopic(UppercaseStage.output, partitions: partitions)
        }

        static func records(_ range: Range<Int>) -> [(key: String, value: String)] {
            range.map { (key: "k\($0)", value: "v\($0)") }
        }

        /// A runner of the group; `strategy` is its `partition.assignment.strategy`, and
        /// `building` sees each task its factory builds.
        func runner(strategy: String? = nil, building: @escaping @Sendable (StageTaskID) -> Void = { _ in }) -> StageRunner {
            var configuration = runnerConfiguration(broker, stage: "upper", input: input, topics: topics, group: group)
            if let strategy { configuration.consumer.partitionAssignmentStrategy = strategy }
            return StageRunner(configuration: configuration) { id in
                building(id)
                return UppercaseStage()
            }
        }

        static func owned(_ runner: StageRunner) -> Set<KafkaTopicPartition> {
            Set(runner.statistics.partitions.map(\.topicPartition))
        }

        /// Whether `a` and `b` come to own disjoint, non-empty shares of every partition.
        func split(_ a: StageRunner, _ b: StageRunner) async throws -> Bool {
            try await eventually(timeout: .seconds(90)) {
                let ownedA = Self.owned(a)
                let ownedB = Self.owned(b)
                return !ownedA.isEmpty && !ownedB.isEmpty && ownedA.isDisjoint(with: ownedB)
                    && ownedA.count + ownedB.count == partitions
            }
        }

        /// Whether `runners` together took `count` inputs and have no output in flight.
        func handled(_ count: Int, by runners: [StageRunner]) async throws -> Bool {
            try await eventually(timeout: .seconds(90)) {
                runners.map(\.statistics.recordsIn).reduce(0, +) >= count && runners.allSatisfy { $0.statistics.inFlight == 0 }
            }
        }

        /// Every input of `range` came out uppercased: at least once, exactly once on Tansu.
        func expectEveryOutput(of range: Range<Int>) async throws {
            let outputs = try await readTopic(broker, UppercaseStage.output)
            #expect(Set(outputs.map(\.valueString)) == Set(range.map { "V\($0)" }))
            #expect(outputs.count >= range.count, "at-least-once: redelivery around a rebalance may duplicate")
            if broker.kind == .tansu {
                #expect(outputs.count == range.count, "no duplicates on Tansu")
            }
        }
    }

    // MARK: - Backpressure

    @Test func manyOutputsInFlightPauseThePartitionsUntilDeliveredEmbedded() async throws {
        try await withBroker(.embedded) { try await Self.backpressure($0) }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func manyOutputsInFlightPauseThePartitionsUntilDeliveredTansu() async throws {
        try await withBroker(.tansu) { try await Self.backpressure($0) }
    }

    static func backpressure(_ broker: TestBroker) async throws {
        let input = uniqueName("in")
        let group = uniqueName("g")
        let topics = StageTopics(defaultsFor: uniqueName("t"))
        try broker.createTopic(input, partitions: 1)
        try broker.createTopic("triple", partitions: 2)
        try await produce(broker, input, (0..<300).map { (key: "k\($0)", value: "v\($0)") })
        var configuration = runnerConfiguration(broker, stage: "triple", input: input, topics: topics, group: group)
        configuration.maxInFlightOutputs = 30
        // Deliveries held back half a second: a fast broker could otherwise report them before
        // the runner counts what is in flight, and the pause asserted below was a race (one CI
        // run saw none).
        configuration.producer.properties["linger.ms"] = "500"
        let runner = StageRunner(configuration: configuration) { _ in TriplingStage() }
        let run = Task { try await runner.run() }
        #expect(try await eventually { runner.statistics.recordsIn >= 300 && runner.statistics.inFlight == 0 })
        runner.shutdown()
        try await run.value
        let statistics = runner.statistics
        #expect(statistics.pauses >= 1)
        #expect(statistics.isPaused == false || statistics.inFlight == 0)
        #expect(statistics.recordsOut == 900 && statistics.delivered == 900)
        #expect(try await committedOffsets(broker, group: group, topic: input, partitions: 1) == [300])
        #expect(try await readTopic(broker, "triple").count == 900)
    }

    // MARK: - Undelivered outputs are never committed

    /// The outputs' partitions live on broker 2, the input's on broker 1. With broker 2 down
    /// the outputs time out: the runner stops with `StageDeliveryFailure` and the group has
    /// committed nothing for the inputs, so a restart processes them again.
    @Test func undeliveredOutputsStopTheRunnerWithoutCommitting() async throws {
        try await withBroker(.embedded, brokers: 2) { broker in
            let embedded = try #require(broker.embedded)
            let input = uniqueName("in")
            let group = uniqueName("g")
            let topics = StageTopics(defaultsFor: uniqueName("t"))
            try broker.createTopic(input, partitions: 1)
            try broker.createTopic(UppercaseStage.output, partitions: 1)
            try broker.createTopic(topics.deadLetters, partitions: 1)
            try embedded.setPartitionLeader(topic: input, partition: 0, brokerID: 1)
            try embedded.setPartitionLeader(topic: UppercaseStage.output, partition: 0, brokerID: 2)
            try embedded.setPartitionLeader(topic: topics.deadLetters, partition: 0, brokerID: 2)
            var configuration = runnerConfiguration(broker, stage: "upper", input: input, topics: topics, group: group)
            configuration.producer.messageTimeoutMilliseconds = 3_000
            let runner = StageRunner(configuration: configuration) { _ in UppercaseStage() }
            let run = Task { try await runner.run() }
            #expect(try await eventually { !runner.statistics.partitions.isEmpty })
            try embedded.setBrokerDown(2)
            try await produce(broker, input, (0..<10).map { (key: "k\($0)", value: "v\($0)") })
            let failed = try await eventually { runner.statistics.deliveryFailures > 0 || runner.statistics.stopped }
            #expect(failed)
            // Broker 2 may also be the group coordinator: bring it back so the runner can leave.
            try embedded.setBrokerUp(2)
            if !failed { runner.shutdown() }
            await #expect(throws: StageDeliveryFailure.self) { try await run.value }
            #expect(runner.statistics.recordsIn == 10)
            #expect(runner.statistics.delivered == 0 && runner.statistics.deliveryFailures > 0)
            let committed = try await committedOffsets(broker, group: group, topic: input, partitions: 1)
            // Nothing past the first undelivered input (offset 0) was committed.
            #expect(committed.allSatisfy { $0 <= 0 }, "committed: \(committed)")
        }
    }

    // MARK: - Signals

    /// Handlers can be registered again after a cancel (a second Dispatch source for the same
    /// signal would miss it); only registered handlers are called. In this serialized suite
    /// so no runner test sees the signals.
    @Test func shutdownSignalsCanBeRegisteredAgain() async throws {
        for _ in 0..<2 {
            let hits = Atomic<Int>(0)
            let cancelledHits = Atomic<Int>(0)
            let cancelled = ShutdownSignals([SIGUSR2]) { cancelledHits.add(1, ordering: .relaxed) }
            cancelled.cancel()
            let signals = ShutdownSignals([SIGUSR2]) { (number: Int32) in
                if number == SIGUSR2 { hits.add(1, ordering: .relaxed) }
            }
            kill(getpid(), SIGUSR2)
            #expect(try await eventually(timeout: .seconds(10)) { hits.load(ordering: .relaxed) == 1 })
            signals.cancel()
            #expect(cancelledHits.load(ordering: .relaxed) == 0)
        }
    }
}
