import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// 100k records through the fast path (`enqueue` + delivery counting) arrive exactly once:
    /// every value is read back and none twice. 16 partitions keep each partition well under
    /// the embedded broker's per-partition retention (5 MiB / 100k batches).
    @Suite struct BulkDeliveryTests {
        static let recordCount = 100_000

        @Test func embedded() async throws { try await withBroker(.embedded, Self.bulk) }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansu() async throws { try await withBroker(.tansu, Self.bulk) }

        static func bulk(_ broker: TestBroker) async throws {
            let topic = uniqueName("bulk")
            try broker.createTopic(topic, partitions: 16)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }
            for index in 0..<recordCount {
                try producer.enqueue(topic: topic, key: "k\(index)", value: String(index))
            }
            try await producer.flush(timeout: .seconds(120))
            #expect(producer.deliveryCounts == KafkaDeliveryCounts(delivered: recordCount, failed: 0))

            let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
            defer { try? consumer.close() }
            try consumer.subscribe(topics: [topic])
            let records = try await consume(consumer, count: recordCount, timeout: .seconds(180), commit: false)
            #expect(records.count == recordCount)
            var seen = [Bool](repeating: false, count: recordCount)
            var duplicates = 0
            for record in records {
                let index = try #require(Int(record.valueString))
                #expect(record.keyString == "k\(index)")
                if seen[index] { duplicates += 1 }
                seen[index] = true
            }
            #expect(duplicates == 0)
            #expect(seen.allSatisfy { $0 })
        }
    }
}
