import Foundation
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

extension KafkaBrokerTests.EmbeddedBrokerTests {
    /// A fixed bootstrap port works for clients (ours and kcat) although the mock brokers
    /// listen on ephemeral ports; a taken port is reported.
    @Test func fixedBootstrapPortServesClients() async throws {
        let port = try FreePort.next()
        let broker = try EmbeddedBroker(brokers: 2, bootstrapPort: port)
        defer { broker.shutdown() }
        #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:\(port),"))
        #expect(throws: KafkaError.self) { _ = try EmbeddedBroker(bootstrapPort: port) }

        let fixedOnly = "127.0.0.1:\(port)"
        try broker.createTopic("fixed", partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: fixedOnly))
        defer { producer.close() }
        let report = try await producer.send(topic: "fixed", key: [UInt8]("k"), value: [UInt8]("v"))
        #expect(report.offset.isConcrete)
        #expect(try await KafkaAdmin(bootstrapServers: fixedOnly).metadata().brokers.count == 2)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat") {
            let consumed = try runKcat(["-C", "-b", fixedOnly, "-t", "fixed", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"])
            #expect(consumed.stdout == "k=v\n")
        }
    }
}
