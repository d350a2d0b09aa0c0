import Kafka
import Synchronization
import Testing
import TestSupport

/// ``KafkaProducerTopic``: one handle per name and producer, accepted only by its producer.
@Suite struct ProducerTopicHandleTests {
    @Test func oneHandlePerNameAndProducer() throws {
        let configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        let producer = try KafkaProducer(configuration: configuration)
        defer { producer.close(flushTimeout: .zero) }
        let other = try KafkaProducer(configuration: configuration)
        defer { other.close(flushTimeout: .zero) }

        let a = producer.topic("a")
        #expect(a.name == "a")
        #expect(producer.topic("b") != a)
        #expect(producer.topic("a") == a)
        #expect(a.belongs(to: producer))
        #expect(!a.belongs(to: other))
        #expect(other.topic("a") != a)
    }
}

extension KafkaBrokerTests {
    /// Records enqueued to a ``KafkaProducerTopic`` keep key, value, partition and headers,
    /// with or without a timestamp (the two take different librdkafka calls), and come back
    /// tagged.
    @Suite struct ProducerTopicTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.enqueueByHandle) }

        static func enqueueByHandle(_ broker: TestBroker) async throws {
            let names = [uniqueName("first"), uniqueName("second")]
            for name in names { try broker.createTopic(name, partitions: 3) }
            let tags = Mutex<[UInt64]>([])
            let producer = try KafkaProducer(
                configuration: broker.producerConfiguration(), deliveryHandler: { _ in },
                deliveredTagHandler: { tag in tags.withLock { $0.append(tag) } })
            defer { producer.close() }
            let topics = names.map { producer.topic($0) }
            for index in 0..<12 {
                let key = Array("k\(index)".utf8)
                let value = Array("v\(index)".utf8)
                let headers = index % 3 == 0 ? [KafkaHeader(name: "h", string: "\(index)")] : []
                let timestamp: Int64? = index % 2 == 0 ? 5_000 + Int64(index) : nil
                try key.withUnsafeBytes { key in
                    try value.withUnsafeBytes { value in
                        try producer.enqueue(
                            to: topics[index % 2], keyBytes: key, valueBytes: value, headers: headers,
                            partition: Int32(index % 3), timestampMilliseconds: timestamp,
                            deliveryTag: UInt64(index + 1))
                    }
                }
            }
            try await producer.flush(timeout: .seconds(30))
            producer.serveDeliveryReports()
            #expect(tags.withLock { $0.sorted() } == (1...12).map(UInt64.init))

            for (topicIndex, name) in names.enumerated() {
                let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
                defer { try? consumer.close() }
                try consumer.subscribe(topics: [name])
                let records = try await consume(consumer, count: 6, commit: false)
                #expect(records.count == 6)
                for record in records {
                    let index = Int(record.valueString.dropFirst())!
                    #expect(index % 2 == topicIndex)
                    #expect(record.key == Array("k\(index)".utf8))
                    #expect(record.partition == Int32(index % 3))
                    #expect(record.headers == (index % 3 == 0 ? [KafkaHeader(name: "h", string: "\(index)")] : []))
                    if index % 2 == 0 { #expect(record.timestampMilliseconds == 5_000 + Int64(index)) }
                }
            }
        }
    }
}
