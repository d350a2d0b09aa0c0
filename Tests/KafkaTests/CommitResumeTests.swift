import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// A consumer that commits what it processed and leaves is followed by one that starts at
    /// the committed offset; an empty commit is not an error.
    @Suite struct CommitResumeTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.resume) }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansu() async throws { try await withBroker(.tansu, Self.resume) }

        static func resume(_ broker: TestBroker) async throws {
            let topic = uniqueName("resume")
            let group = uniqueName("g")
            try broker.createTopic(topic, partitions: 1)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }
            for index in 0..<100 {
                try producer.enqueue(topic: topic, key: nil, value: String(index))
            }
            try await producer.flush(timeout: .seconds(30))

            let partition = KafkaTopicPartition(topic: topic, partition: 0)
            do {
                let first = try KafkaConsumer(configuration: broker.consumerConfiguration(group: group))
                try first.subscribe(topics: [topic])
                let records = try await consume(first, count: 100, commit: false)
                #expect(records.count == 100)
                // Process only the first 40.
                let processed = records.filter { $0.offset < 40 }
                #expect(processed.count == 40)
                try first.storeOffsets(for: processed)
                try await first.commit()
                try await first.commit()  // nothing new: not an error
                #expect(try first.committed([partition]).map(\.offset) == [KafkaOffset(40)])
                try first.close()
            }

            let second = try KafkaConsumer(configuration: broker.consumerConfiguration(group: group))
            defer { try? second.close() }
            try second.subscribe(topics: [topic])
            let rest = try await consume(second, count: 60, commit: false)
            #expect(rest.map(\.offset) == Array(40..<100))
            #expect(rest.map(\.valueString) == (40..<100).map(String.init))
        }
    }
}
