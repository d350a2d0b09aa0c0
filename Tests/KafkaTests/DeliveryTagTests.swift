import Kafka
import Synchronization
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// `enqueue(..., deliveryTag:)` brings each record's tag back in its delivery report (what
    /// the stage runner commits by), sets the record's timestamp when given, and leaves
    /// `send`'s awaited reports alone.
    @Suite struct DeliveryTagTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.tags) }

        static func tags(_ broker: TestBroker) async throws {
            try await withReportingProducer(broker, topicPrefix: "tags", partitions: 3) { producer, topic, reports in
                for tag in 1...30 {
                    try producer.enqueue(
                        topic: topic, key: [UInt8]("k\(tag)"), value: [UInt8]("v\(tag)"),
                        timestampMilliseconds: 1_000 + Int64(tag), deliveryTag: UInt64(tag))
                }
                try producer.enqueue(topic: topic, key: nil, value: [UInt8]("untagged"))
                let sent = try await producer.send(topic: topic, value: [UInt8]("sent"))
                #expect(sent.deliveryTag == nil)
                try await producer.flush(timeout: .seconds(30))

                let all = reports()
                #expect(all.count == 31)
                #expect(all.allSatisfy { $0.error == nil })
                #expect(Set(all.compactMap(\.deliveryTag)) == Set((1...30).map(UInt64.init)))
                #expect(all.filter { $0.deliveryTag == nil }.count == 1)

                let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
                defer { try? consumer.close() }
                try consumer.subscribe(topics: [topic])
                let records = try await consume(consumer, count: 32, commit: false)
                for record in records where record.valueString.hasPrefix("v") {
                    #expect(record.timestampMilliseconds == 1_000 + Int64(record.valueString.dropFirst())!)
                }
            }
        }
    }
}

extension KafkaBrokerTests {
    /// `serveDeliveryReports(appendingDeliveredTagsTo:)` collects the delivered tags it serves;
    /// those the poll thread serves meanwhile still reach `deliveredTagHandler`. Together they
    /// are every tag, once; failures and untagged records still reach the `deliveryHandler`.
    @Suite struct CollectedDeliveryTagTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.collected) }

        static func collected(_ broker: TestBroker) async throws {
            let handled = Mutex<[UInt64]>([])
            try await withReportingProducer(
                broker, topicPrefix: "collected", partitions: 2,
                deliveredTagHandler: { tag in handled.withLock { $0.append(tag) } }
            ) { producer, topic, reports in
                let count = 2_000
                var collected: [UInt64] = []
                for tag in 1...count {
                    try producer.enqueue(topic: topic, key: nil, value: [UInt8]("v\(tag)"), deliveryTag: UInt64(tag))
                    if tag % 100 == 0 { producer.serveDeliveryReports(appendingDeliveredTagsTo: &collected) }
                }
                try producer.enqueue(topic: topic, key: nil, value: [UInt8]("untagged"))
                let deadline = ContinuousClock.now + .seconds(30)
                while collected.count + handled.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
                    producer.serveDeliveryReports(appendingDeliveredTagsTo: &collected)
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await producer.flush(timeout: .seconds(30))
                let tags = (collected + handled.withLock { $0 }).sorted()
                #expect(tags == (1...count).map(UInt64.init))
                let all = reports()
                #expect(all.count == 1 && all[0].deliveryTag == nil && all[0].error == nil)
                #expect(producer.deliveryCounts.delivered == count + 1 && producer.deliveryCounts.failed == 0)
            }
        }
    }
}

/// The set-up both suites above share: a new topic of `partitions`, and a producer to it that
/// keeps every report its `deliveryHandler` gets (`reports()` reads them) and passes delivered
/// tags to `deliveredTagHandler` when one is given. The producer is closed after `body`.
private func withReportingProducer(
    _ broker: TestBroker, topicPrefix: String, partitions: Int,
    deliveredTagHandler: (@Sendable (UInt64) -> Void)? = nil,
    _ body: (_ producer: KafkaProducer, _ topic: String, _ reports: () -> [KafkaDeliveryReport]) async throws -> Void
) async throws {
    let topic = uniqueName(topicPrefix)
    try broker.createTopic(topic, partitions: partitions)
    let reports = Mutex<[KafkaDeliveryReport]>([])
    let producer = try KafkaProducer(
        configuration: broker.producerConfiguration(),
        deliveryHandler: { report in reports.withLock { $0.append(report) } },
        deliveredTagHandler: deliveredTagHandler)
    defer { producer.close() }
    try await body(producer, topic, { reports.withLock { $0 } })
}
