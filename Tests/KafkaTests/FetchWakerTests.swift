import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// `KafkaFetchWaker` sends its requests from its own thread while the consumer keeps
    /// consuming: a backlog far over a 1 KB prefetch bound arrives whole and in order, every
    /// wake asked after a drained poll is sent (none coalesced away when asked one at a time),
    /// and `stop` ends the thread before the consumer closes.
    @Suite struct FetchWakerTests {
        @Test func embeddedWakesWhileConsuming() async throws {
            try await withBroker(.embedded) { broker in
                let topic = uniqueName("wake")
                try broker.createTopic(topic, partitions: 2)
                let producer = try KafkaProducer(configuration: broker.producerConfiguration())
                defer { producer.close() }
                let count = 2000
                for index in 0..<count {
                    try producer.enqueue(topic: topic, key: nil, value: String(index), partition: Int32(index % 2))
                }
                try await producer.flush(timeout: .seconds(30))

                var configuration = broker.consumerConfiguration(group: uniqueName("g"))
                configuration.properties["queued.max.messages.kbytes"] = "1"
                let consumer = try KafkaConsumer(configuration: configuration)
                defer { try? consumer.close() }
                let waker = KafkaFetchWaker(consumer: consumer)
                defer { waker.stop() }
                try consumer.subscribe(topics: [topic])

                var values: [Int32: [Int]] = [:]
                var asked = 0
                let deadline = ContinuousClock.now + .seconds(60)
                while values.values.reduce(0, { $0 + $1.count }) < count && ContinuousClock.now < deadline {
                    let batch = try consumer.poll(maxRecords: 100, timeout: .milliseconds(100))
                    for record in batch { values[record.partition, default: []].append(Int(record.valueString)!) }
                    if batch.count < 100, asked < 5, let partitions = try? consumer.assignment(), !partitions.isEmpty {
                        let before = waker.wakesSent
                        waker.wake(partitions)
                        asked += 1
                        while waker.wakesSent == before && ContinuousClock.now < deadline { await Task.yield() }
                    }
                }
                #expect(values[0] == Array(stride(from: 0, to: count, by: 2)))
                #expect(values[1] == Array(stride(from: 1, to: count, by: 2)))
                #expect(asked > 0)
                #expect(waker.wakesSent == asked)
                waker.stop()
                waker.wake([KafkaTopicPartition(topic: topic, partition: 0)])
                #expect(waker.wakesSent == asked)
            }
        }
    }
}
