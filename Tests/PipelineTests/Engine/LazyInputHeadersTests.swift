import Kafka
import Pipeline
import Testing
import TestSupport

/// A user stage that treats its inputs (keyed `k<i>`) five ways by `i % 5`, so that an
/// input's headers — read from the consumed message only when asked for — are seen whoever
/// asks first: 0 reads them and forwards them in a new record's value; 1 forwards the input
/// untouched (the runner reads them to produce it); 2 keeps it untouched, to forward it at
/// close (the runner's `keep` reads them before the message goes); 3 rejects the input
/// without reading them; 4 reads them, then rejects it.
final class HeaderReadingStage: Stage {
    static let read = "headers-read"
    static let passed = "headers-passed"
    static let held = "headers-held"
    private var kept: [StageRecord] = []

    /// The index `i` of key `k<i>`.
    static func index(_ record: StageRecord) -> Int { Int(record.keyString?.dropFirst() ?? "") ?? -1 }

    /// How a stage that read `headers` writes them in a value.
    static func describe(_ headers: [KafkaHeader]) -> String {
        headers.map { "\($0.name)=\($0.stringValue ?? "nil")" }.joined(separator: ";")
    }

    func process(_ record: StageRecord, context: StageContext) throws {
        switch Self.index(record) % 5 {
        case 0:
            context.forward(StageRecord(key: record.keyString, value: Self.describe(record.headers)), to: .topic(Self.read))
        case 1:
            context.forward(record, to: .topic(Self.passed))
        case 2:
            kept.append(record)
        case 3:
            throw StageRejection("rejected unread")
        default:
            throw StageRejection("rejected after reading \(record.headers.count) headers")
        }
    }

    func close(_ reason: TaskCloseReason, context: StageContext) throws {
        for record in kept {
            var out = record
            out.partition = 0
            context.forward(out, to: .topic(Self.held))
        }
        kept = []
    }
}

@Suite(.serialized) struct LazyInputHeadersTests {
    /// Input `i`'s headers: none for every third, else two (one without a value).
    static func headers(_ index: Int) -> [KafkaHeader] {
        index % 3 == 0 ? [] : [KafkaHeader(name: "id", string: "h\(index)"), KafkaHeader(name: "empty", value: nil)]
    }

    @Test func inputHeadersReachTheStageTheOutputsAndTheDeadLettersEmbedded() async throws {
        try await withBroker(.embedded) { broker in
            let input = uniqueName("in")
            let topics = StageTopics(defaultsFor: uniqueName("t"))
            try broker.createTopic(input, partitions: 2)
            for topic in [HeaderReadingStage.read, HeaderReadingStage.passed, HeaderReadingStage.held] {
                try broker.createTopic(topic, partitions: 2)
            }
            try broker.createTopic(topics.deadLetters, partitions: 1)
            let count = 120
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            for index in 0..<count {
                try producer.enqueue(
                    topic: input, key: Array("k\(index)".utf8), value: Array("v\(index)".utf8), headers: Self.headers(index))
            }
            try await producer.flush(timeout: .seconds(30))
            producer.close()

            let runner = StageRunner(
                configuration: runnerConfiguration(broker, stage: "headers", input: input, topics: topics, group: uniqueName("g"))
            ) { _ in HeaderReadingStage() }
            let run = Task { try await runner.run() }
            #expect(try await eventually { runner.statistics.recordsIn >= count && runner.statistics.inFlight == 0 })
            runner.shutdown()
            try await run.value
            #expect(runner.statistics.failure == nil)

            func index(_ record: KafkaConsumerRecord) -> Int { Int(record.keyString?.dropFirst() ?? "") ?? -1 }

            let read = try await readTopic(broker, HeaderReadingStage.read)
            #expect(read.map(index).sorted() == Array(stride(from: 0, to: count, by: 5)))
            for record in read {
                #expect(record.valueString == HeaderReadingStage.describe(Self.headers(index(record))), "read by the stage")
            }
            let passed = try await readTopic(broker, HeaderReadingStage.passed)
            #expect(passed.map(index).sorted() == Array(stride(from: 1, to: count, by: 5)))
            for record in passed {
                #expect(record.headers == Self.headers(index(record)), "forwarded unread")
            }
            let held = try await readTopic(broker, HeaderReadingStage.held)
            #expect(held.map(index).sorted() == Array(stride(from: 2, to: count, by: 5)))
            for record in held {
                #expect(record.headers == Self.headers(index(record)), "kept past process, unread")
                #expect(record.valueString == "v\(index(record))")
            }
            let dead = try await readTopic(broker, topics.deadLetters)
            #expect(dead.map(index).sorted() == (0..<count).filter { $0 % 5 >= 3 })
            for letter in dead {
                let original = Self.headers(index(letter))
                #expect(Array(letter.headers.prefix(original.count)) == original, "input headers first, unchanged")
                #expect(letter.headers.dropFirst(original.count).map(\.name) == DeadLetterHeaders.all)
                #expect(letter.valueString == "v\(index(letter))")
            }
        }
    }
}
