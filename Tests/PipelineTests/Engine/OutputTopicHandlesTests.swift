import Kafka
import Testing

@testable import Pipeline

/// ``OutputTopicHandles``: the runner's lock-free lookup of its producer's topic handles.
@Suite struct OutputTopicHandlesTests {
    @Test func resolvesEachTopicOnceAcrossSeveralTopics() throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1"))
        defer { producer.close(flushTimeout: .zero) }
        var handles = OutputTopicHandles(producer: producer)
        let order = ["features", "dlq", "features", "alerts", "dlq", "dlq", "features"]
        let resolved = order.map { handles.topic($0) }
        #expect(handles.count == 3)
        #expect(resolved.map(\.name) == order)
        for (name, topic) in zip(order, resolved) {
            #expect(topic == producer.topic(name))
            #expect(topic.belongs(to: producer))
        }
        #expect(resolved[0] != resolved[1] && resolved[1] != resolved[3] && resolved[0] != resolved[3])
    }
}
