import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// Keys, values and headers (including a null header value) survive a produce/consume
    /// round trip, and the consumer sees the partitions and offsets the delivery reports gave.
    @Suite struct RoundTripTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.roundTrip) }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansu() async throws { try await withBroker(.tansu, Self.roundTrip) }

        static func roundTrip(_ broker: TestBroker) async throws {
            let topic = uniqueName("roundtrip")
            try broker.createTopic(topic, partitions: 3)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }

            var reports: [KafkaDeliveryReport] = []
            for index in 0..<10 {
                let headers = [
                    KafkaHeader(name: "index", string: String(index)),
                    KafkaHeader(name: "empty", value: nil),
                ]
                reports.append(
                    try await producer.send(
                        topic: topic, key: [UInt8]("key-\(index)"), value: [UInt8]("value-\(index)"),
                        headers: headers))
            }
            try producer.enqueue(topic: topic, key: "fast-key", value: "fast-value")
            try producer.enqueue(topic: topic, key: nil, value: [UInt8]("keyless"), partition: 2)
            try await producer.flush(timeout: .seconds(30))
            #expect(producer.deliveryCounts == KafkaDeliveryCounts(delivered: 12, failed: 0))
            #expect(reports.allSatisfy { $0.topic == topic && $0.error == nil && $0.offset.isConcrete })

            let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
            defer { try? consumer.close() }
            try consumer.subscribe(topics: [topic])
            let records = try await consume(consumer, count: 12)
            #expect(records.count == 12)

            for (index, report) in reports.enumerated() {
                let record = try #require(
                    records.first { $0.partition == report.partition && $0.offset == report.offset.rawValue })
                #expect(record.topic == topic)
                #expect(record.keyString == "key-\(index)")
                #expect(record.valueString == "value-\(index)")
                #expect(record.headers == [
                    KafkaHeader(name: "index", string: String(index)), KafkaHeader(name: "empty", value: nil),
                ])
                #expect(record.timestampMilliseconds != nil)
            }
            let fast = try #require(records.first { $0.keyString == "fast-key" })
            #expect(fast.valueString == "fast-value")
            #expect(fast.headers.isEmpty)
            let keyless = try #require(records.first { $0.valueString == "keyless" })
            #expect(keyless.key == nil)
            #expect(keyless.partition == 2)
        }
    }
}
