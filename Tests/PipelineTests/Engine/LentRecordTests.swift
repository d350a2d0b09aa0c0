import Kafka
import Pipeline
import Synchronization
import Testing
import TestSupport

/// A user stage that forwards each input unchanged (produced from the consumer's buffer) and
/// also keeps every input (some in another thread's hands) to forward again, reversed, when
/// its task closes: records kept past `process` must keep their bytes after the fetch buffer
/// they were lent from is gone.
final class HoldingStage: Stage {
    static let passed = "passed"
    static let held = "held"
    /// Inputs handed to another thread, as a stage might hand them to a worker.
    static let elsewhere = Mutex<[StageRecord]>([])
    private var kept: [StageRecord] = []

    func process(_ record: StageRecord, context: StageContext) throws {
        context.forward(record, to: .topic(Self.passed))
        if context.source!.offset % 3 == 0 {
            kept.append(record)
        } else if context.source!.offset % 3 == 1 {
            Self.elsewhere.withLock { $0.append(record) }
        }
    }

    func close(_ reason: TaskCloseReason, context: StageContext) throws {
        for record in kept.reversed() {
            var out = record
            out.partition = 0
            context.forward(out, to: .topic(Self.held))
        }
    }
}

@Suite(.serialized) struct LentRecordTests {
    @Test func recordsReadInPlaceOrCopiedAgree() throws {
        let record = StageRecord(key: "k", value: "value", headers: [KafkaHeader(name: "h", string: "x")])
        #expect(record.withUnsafeKeyBytes { $0.map { Array($0) } } == Array("k".utf8))
        #expect(record.withUnsafeValueBytes { $0.map { Array($0) } } == Array("value".utf8))
        #expect(record.valueCount == 5)
        #expect(record.keyString == "k" && record.valueString == "value")
        let tombstone = StageRecord(key: Array("k".utf8), value: nil)
        #expect(tombstone.withUnsafeValueBytes { $0 == nil } && tombstone.valueCount == nil)
        var changed = record
        changed.value = Array("other".utf8)
        #expect(changed != record && changed.key == record.key)
    }

    @Test func keptInputsKeepTheirBytesEmbedded() async throws {
        try await withBroker(.embedded) { broker in
            let input = uniqueName("in")
            let topics = StageTopics(defaultsFor: uniqueName("t"))
            try broker.createTopic(input, partitions: 2)
            try broker.createTopic(HoldingStage.passed, partitions: 2)
            try broker.createTopic(HoldingStage.held, partitions: 1)
            let values = (0..<300).map { (key: "k\($0)", value: "value-\($0)-" + String(repeating: "x", count: $0 % 50)) }
            try await produce(broker, input, values)
            HoldingStage.elsewhere.withLock { $0 = [] }

            let runner = StageRunner(
                configuration: runnerConfiguration(broker, stage: "hold", input: input, topics: topics, group: uniqueName("g"))
            ) { _ in HoldingStage() }
            let run = Task { try await runner.run() }
            #expect(try await eventually { runner.statistics.recordsIn >= 300 && runner.statistics.inFlight == 0 })
            runner.shutdown()
            try await run.value
            #expect(runner.statistics.failure == nil)

            let expected = Dictionary(uniqueKeysWithValues: values.map { ($0.key, $0.value) })
            let passed = try await readTopic(broker, HoldingStage.passed)
            #expect(passed.count == 300)
            #expect(passed.allSatisfy { expected[$0.keyString ?? ""] == $0.valueString })
            let held = try await readTopic(broker, HoldingStage.held)
            #expect(held.count > 50)
            #expect(held.allSatisfy { expected[$0.keyString ?? ""] == $0.valueString })
            let elsewhere = HoldingStage.elsewhere.withLock { $0 }
            #expect(elsewhere.count > 50)
            #expect(elsewhere.allSatisfy { expected[$0.keyString ?? ""] == $0.valueString })
        }
    }
}
