import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// The embedded broker's own lifecycle and topic API.
    @Suite struct EmbeddedBrokerTests {
        @Test func bootstrapListsEveryBroker() throws {
            let broker = try EmbeddedBroker(brokers: 3)
            defer { broker.shutdown() }
            let entries = broker.bootstrapServers.split(separator: ",")
            #expect(entries.count == 3)
            #expect(entries.allSatisfy { $0.hasPrefix("127.0.0.1:") })
            #expect(broker.brokerCount == 3)
        }

        @Test func createTopicSetsPartitionCount() async throws {
            let broker = try EmbeddedBroker()
            defer { broker.shutdown() }
            try broker.createTopic("four", partitions: 7)
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers))
            defer { producer.close() }
            #expect(try producer.metadata().topic("four")?.partitions.count == 7)
            let report = try await producer.send(topic: "four", value: [UInt8]("x"), partition: 6)
            #expect(report.partition == 6 && report.offset == KafkaOffset(0))
        }

        @Test func shutdownIsIdempotentAndStopsTheApi() throws {
            let broker = try EmbeddedBroker()
            #expect(broker.isRunning)
            broker.shutdown()
            broker.shutdown()
            #expect(!broker.isRunning)
            #expect(throws: KafkaError.self) { try broker.createTopic("late") }
            #expect(throws: KafkaError.self) { try broker.setBrokerDown(1) }
        }
    }
}
