import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// The async `batches` sequence delivers what was produced and ends when the consumer is
    /// closed from another task, without records lost in between.
    @Suite struct ConsumerSequenceTests {
        @Test func embeddedBatchesEndOnClose() async throws {
            try await withBroker(.embedded) { broker in
                let topic = uniqueName("seq")
                try broker.createTopic(topic, partitions: 2)
                let producer = try KafkaProducer(configuration: broker.producerConfiguration())
                defer { producer.close() }
                for index in 0..<500 {
                    try producer.enqueue(topic: topic, key: "k\(index)", value: String(index))
                }
                try await producer.flush(timeout: .seconds(30))

                let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
                try consumer.subscribe(topics: [topic])
                let reader = Task {
                    var values: [String] = []
                    for try await batch in consumer.batches(maxCount: 64) {
                        #expect(batch.count <= 64)
                        values += batch.map(\.valueString)
                    }
                    return values
                }
                // Close once everything is in: watch the group's position from outside.
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    let assigned = try consumer.assignment()
                    let positions = try consumer.position(assigned).map(\.offset.rawValue)
                    if assigned.count == 2 && positions.reduce(0, +) >= 500 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                try consumer.close()
                let values = try await reader.value
                #expect(Set(values) == Set((0..<500).map(String.init)))
                #expect(consumer.isClosed)
            }
        }
    }
}
