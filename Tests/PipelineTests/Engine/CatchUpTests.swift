import Kafka
import Pipeline
import Synchronization
import Testing
import TestSupport

/// The catch-up after a restore under exactly-once: a task that resumes before its group's
/// committed offset re-processes the committed inputs silently, and its stage is told so
/// (`StageContext.isCatchingUp`), which the learner uses to defer alerts past the catch-up.
/// Tansu only: the mock broker keeps no offsets sent with a transaction, so nothing to catch
/// up to there.
@Suite(.serialized) struct CatchUpTests {
    /// What a stage saw: each input's offset and whether it was catching up.
    final class Seen: Sendable {
        let entries = Mutex<[(offset: Int64, catchingUp: Bool)]>([])
    }

    /// Resumes from offset 0 whatever was committed, and notes what the context said per input.
    final class RestartingStage: Stage, @unchecked Sendable {
        let seen: Seen
        init(_ seen: Seen) { self.seen = seen }

        func restore(context: StageContext) throws { context.resume(from: 0) }

        func process(_ record: StageRecord, context: StageContext) throws {
            let offset = context.source!.offset
            let catchingUp = context.isCatchingUp
            seen.entries.withLock { $0.append((offset, catchingUp)) }
            context.forward(StageRecord(key: nil, value: record.value), to: .topic(UppercaseStage.output))
        }
    }

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func aRestoredTaskIsToldWhileItCatchesUp_tansu() async throws {
        try await withBroker(.tansu) { broker in
            let input = uniqueName("in")
            let group = uniqueName("g")
            let prefix = uniqueName("tx")
            let topics = StageTopics(defaultsFor: uniqueName("t"))
            try broker.createTopic(input, partitions: 1)
            try broker.createTopic(UppercaseStage.output, partitions: 1)
            func configuration() -> StageRunnerConfiguration {
                var configuration = runnerConfiguration(broker, stage: "catchup", input: input, topics: topics, group: group)
                configuration.guarantee = .exactlyOnce
                configuration.transactionalIDPrefix = prefix
                return configuration
            }
            try await produce(broker, input, (0..<50).map { (key: "k\($0)", value: "v\($0)") })

            let firstSeen = Seen()
            let runnerA = StageRunner(configuration: configuration()) { _ in RestartingStage(firstSeen) }
            let runA = Task { try await runnerA.run() }
            #expect(try await eventually { runnerA.statistics.recordsIn >= 50 && runnerA.statistics.inFlight == 0 })
            runnerA.shutdown()
            try await runA.value
            #expect(try await committedOffsets(broker, group: group, topic: input, partitions: 1) == [50])
            #expect(firstSeen.entries.withLock { $0.allSatisfy { !$0.catchingUp } })

            try await produce(broker, input, (50..<60).map { (key: "k\($0)", value: "v\($0)") })
            let secondSeen = Seen()
            let runnerB = StageRunner(configuration: configuration()) { _ in RestartingStage(secondSeen) }
            let runB = Task { try await runnerB.run() }
            #expect(try await eventually { runnerB.statistics.recordsIn >= 10 && runnerB.statistics.inFlight == 0 })
            runnerB.shutdown()
            try await runB.value

            let seen = secondSeen.entries.withLock { $0 }
            #expect(seen.map(\.offset) == Array(0..<60))
            #expect(seen.filter(\.catchingUp).map(\.offset) == Array(0..<50), "the committed inputs, and only they")
            #expect(runnerB.statistics.caughtUp == 50 && runnerB.statistics.recordsIn == 10)
        }
    }
}
