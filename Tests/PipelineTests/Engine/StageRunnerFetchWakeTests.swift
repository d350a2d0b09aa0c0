import Kafka
import Testing
import TestSupport

@testable import Pipeline

/// When the runner wakes its fetchers on librdkafka before 2.3 (``FetchWakePolicy``), and that
/// a runner whose prefetch bound is far below its backlog, woken early and often, still gets
/// every record once and in order.
@Suite(.serialized) struct StageRunnerFetchWakeTests {
    @Test func wakesEachHalfBoundDuringABacklogAndOnceWhenItDrains() {
        // 4 KB bound: an early wake per 2048 bytes taken by full polls.
        var policy = FetchWakePolicy(fullPoll: 10, prefetchBoundKilobytes: 4)
        var wakes: [Bool] = []
        for _ in 0..<5 { wakes.append(policy.shouldWake(afterTaking: 10, bytes: 1024, canWake: true)) }
        #expect(wakes == [false, true, false, true, false])
        // Drained: one more wake, then none while polls stay short.
        for _ in 0..<3 { wakes.append(policy.shouldWake(afterTaking: 3, bytes: 300, canWake: true)) }
        #expect(wakes[5...] == [true, false, false])
    }

    @Test func noWakeOutsideABacklogNorWhilePaused() {
        var policy = FetchWakePolicy(fullPoll: 10, prefetchBoundKilobytes: 4)
        // Short polls only: however many bytes, no wake.
        var wakes: [Bool] = []
        for _ in 0..<10 { wakes.append(policy.shouldWake(afterTaking: 9, bytes: 100_000, canWake: true)) }
        #expect(!wakes.contains(true))
        // Paused (or nothing owned): bytes count, the wake waits until one may be sent; the
        // drained wake after it resets the count.
        wakes = [
            policy.shouldWake(afterTaking: 10, bytes: 5000, canWake: false),
            policy.shouldWake(afterTaking: 2, bytes: 100, canWake: false),
            policy.shouldWake(afterTaking: 10, bytes: 1, canWake: true),
            policy.shouldWake(afterTaking: 0, bytes: 0, canWake: true),
            policy.shouldWake(afterTaking: 10, bytes: 2047, canWake: true),
        ]
        #expect(wakes == [false, false, true, true, false])
    }

    /// A 1 KB prefetch bound, polls of 10 records: a backlog of 300 KB wakes the fetchers
    /// early many times (on librdkafka before 2.3); the outputs are every input once, in order.
    @Test func tinyPrefetchBoundDeliversTheBacklogWholeAndInOrderEmbedded() async throws {
        try await withBroker(.embedded) { broker in
            let input = uniqueName("in")
            let output = uniqueName("out")
            try broker.createTopic(input, partitions: 1)
            try broker.createTopic(output, partitions: 1)
            let count = 3000
            let padding = String(repeating: "x", count: 90)
            let values = (0..<count).map { "\($0)-\(padding)" }
            try await produce(broker, input, values.map { (key: "k", value: $0) })

            var configuration = runnerConfiguration(
                broker, stage: "forward", input: input, topics: StageTopics(defaultsFor: uniqueName("t")),
                group: uniqueName("g"))
            configuration.consumer.properties["queued.max.messages.kbytes"] = "1"
            configuration.maxBatchSize = 10
            let runner = StageRunner(configuration: configuration) { _ in ForwardingStage(output: output) }
            let run = Task { try await runner.run() }
            #expect(try await eventually { runner.statistics.recordsIn >= count && runner.statistics.inFlight == 0 })
            runner.shutdown()
            try await run.value
            #expect(runner.statistics.failure == nil)
            #expect(runner.statistics.recordsIn == count)
            #expect(try await readTopic(broker, output).map(\.valueString) == values)
        }
    }
}

/// Forwards each record unchanged to one topic.
private struct ForwardingStage: Stage {
    let output: String

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        context.forward(record, to: .topic(output))
    }
}
