import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// Topic administration. Tansu implements the Admin API (create with configs, delete);
    /// the embedded broker does not implement CreateTopics, so there topics come from
    /// `EmbeddedBroker.createTopic` and only metadata is read through `KafkaAdmin`.
    @Suite struct AdminTests {
        @Test func embeddedMetadataListsBrokersAndTopics() async throws {
            try await withBroker(.embedded, brokers: 3) { broker in
                let topic = uniqueName("admin")
                try broker.createTopic(topic, partitions: 5)
                let admin = try KafkaAdmin(bootstrapServers: broker.bootstrapServers)
                let metadata = try await admin.metadata()
                #expect(metadata.brokers.map(\.id) == [1, 2, 3])
                #expect(metadata.brokers.allSatisfy { $0.host == "127.0.0.1" && $0.port > 0 })
                let described = try #require(metadata.topic(topic))
                #expect(described.partitions.map(\.id) == [0, 1, 2, 3, 4])
                #expect(described.partitions.allSatisfy { (1...3).contains($0.leader) })
                #expect(try admin.listTopics().contains(topic))
            }
        }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansuCreateListDelete() async throws {
            try await withBroker(.tansu) { broker in
                let admin = try KafkaAdmin(bootstrapServers: broker.bootstrapServers)
                let plain = uniqueName("admin")
                let compacted = uniqueName("compacted")
                try await admin.createTopics([
                    KafkaNewTopic(name: plain, partitions: 3),
                    KafkaNewTopic(name: compacted, partitions: 1, configs: ["cleanup.policy": "compact"]),
                ])
                // Creating again with ifNotExists (the default) is not an error.
                try await admin.createTopics([KafkaNewTopic(name: plain, partitions: 3)])
                await #expect(throws: KafkaError.self) {
                    try await admin.createTopics([KafkaNewTopic(name: plain, partitions: 3)], ifNotExists: false)
                }
                let topics = try admin.listTopics()
                #expect(topics.contains(plain) && topics.contains(compacted))
                #expect(try await admin.metadata().topic(plain)?.partitions.count == 3)

                try await admin.deleteTopics([plain])
                #expect(try !admin.listTopics().contains(plain))
            }
        }
    }
}
