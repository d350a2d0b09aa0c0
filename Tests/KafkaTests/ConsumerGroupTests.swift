import Kafka
import Synchronization
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// Two members of one group: the first owns all partitions, the second joins, the
    /// partitions are split between them (both see rebalance events), and every record is
    /// consumed. On the embedded broker redelivery around the rebalance is allowed
    /// (at-least-once); Tansu must show no duplicates.
    @Suite struct ConsumerGroupTests {
        @Test func embeddedEagerAtLeastOnce() async throws {
            try await withBroker(.embedded) { try await Self.twoMembers($0, strategy: "range,roundrobin") }
        }

        @Test func embeddedCooperativeAtLeastOnce() async throws {
            try await withBroker(.embedded) { try await Self.twoMembers($0, strategy: "cooperative-sticky") }
        }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansuEagerNoDuplicates() async throws {
            try await withBroker(.tansu) { try await Self.twoMembers($0, strategy: "range,roundrobin") }
        }

        static let partitions = 4
        static let perRound = 1000

        static func twoMembers(_ broker: TestBroker, strategy: String) async throws {
            let topic = uniqueName("group")
            let group = uniqueName("g")
            try broker.createTopic(topic, partitions: partitions)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }
            func produceRound(_ round: Int) async throws {
                for index in 0..<perRound {
                    let id = round * perRound + index
                    try producer.enqueue(topic: topic, key: "k\(id)", value: String(id))
                }
                try await producer.flush(timeout: .seconds(30))
            }

            var configuration = broker.consumerConfiguration(group: group)
            configuration.partitionAssignmentStrategy = strategy
            let eventsA = Events()
            let eventsB = Events()
            let memberA = try KafkaConsumer(configuration: configuration) { eventsA.append($0) }
            defer { try? memberA.close() }
            let memberB = try KafkaConsumer(configuration: configuration) { eventsB.append($0) }
            defer { try? memberB.close() }

            // Round 0: member A alone owns every partition.
            try memberA.subscribe(topics: [topic])
            try await produceRound(0)
            var recordsA = try await consume(memberA, count: perRound)
            #expect(try memberA.assignment().count == partitions)

            // Member B joins; keep A polling so the group can rebalance.
            try memberB.subscribe(topics: [topic])
            var recordsB: [KafkaConsumerRecord] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                recordsA += try await consume(memberA, count: 1, timeout: .milliseconds(200))
                recordsB += try await consume(memberB, count: 1, timeout: .milliseconds(200))
                let a = try memberA.assignment()
                let b = try memberB.assignment()
                if !a.isEmpty && !b.isEmpty && a.count + b.count == partitions { break }
            }
            let assignedA = try memberA.assignment()
            let assignedB = try memberB.assignment()
            #expect(!assignedA.isEmpty && !assignedB.isEmpty)
            #expect(Set(assignedA).isDisjoint(with: assignedB))
            #expect(assignedA.count + assignedB.count == partitions)

            // Round 1: both members receive their share; nothing is lost.
            try await produceRound(1)
            let total = 2 * perRound
            let roundDeadline = ContinuousClock.now + .seconds(60)
            while Set((recordsA + recordsB).map(\.valueString)).count < total && ContinuousClock.now < roundDeadline {
                recordsA += try await consume(memberA, count: 1, timeout: .milliseconds(300))
                recordsB += try await consume(memberB, count: 1, timeout: .milliseconds(300))
            }
            let all = recordsA + recordsB
            #expect(Set(all.map(\.valueString)) == Set((0..<total).map(String.init)))
            #expect(recordsA.contains { Int($0.valueString)! >= perRound })
            #expect(recordsB.contains { Int($0.valueString)! >= perRound })
            if broker.kind == .tansu {
                #expect(all.count == total, "no duplicates on Tansu")
            }

            // Both members saw the rebalance: A was assigned everything first, B got a share.
            let firstA = try #require(eventsA.all.first)
            #expect(firstA.kind == .assigned && firstA.partitions.count == partitions)
            #expect(eventsA.all.contains { $0.kind == .revoked })
            #expect(eventsB.all.contains { $0.kind == .assigned && !$0.partitions.isEmpty })
            let expectedProtocol: KafkaRebalanceEvent.RebalanceProtocol =
                strategy == "cooperative-sticky" ? .cooperative : .eager
            #expect(firstA.rebalanceProtocol == expectedProtocol)
        }
    }
}

/// Rebalance events collected from a handler (runs on the polling thread).
final class Events: Sendable {
    private let events = Mutex<[KafkaRebalanceEvent]>([])

    func append(_ event: KafkaRebalanceEvent) { events.withLock { $0.append(event) } }
    var all: [KafkaRebalanceEvent] { events.withLock { $0 } }
}
