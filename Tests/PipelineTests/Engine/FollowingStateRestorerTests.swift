import Foundation
import Kafka
import Testing
import TestSupport

@testable import Pipeline

/// Following a control topic (the learner reading drift alerts every second in every task):
/// the first call reads the topic whole, later calls see new records through one long-lived
/// consumer, and each caller gets only what lies at or after its own offsets.
@Suite(.serialized) struct FollowingStateRestorerTests {
    @Test func followsATopicWithOneConsumerEmbedded() async throws {
        try await withBroker(.embedded) { broker in
            let topic = uniqueName("ctl")
            try broker.createTopic(topic, partitions: 2)
            let consumer = broker.consumerConfiguration(group: uniqueName("g"))
            let producerConfiguration = broker.producerConfiguration()
            let (first, mine, unknown, later) = try await offPool {
                let producer = try KafkaProducer(configuration: producerConfiguration)
                defer { producer.close() }
                func send(_ values: [String]) throws {
                    for (index, value) in values.enumerated() {
                        try producer.enqueue(topic: topic, key: nil, value: Array(value.utf8), partition: Int32(index % 2), deliveryTag: 0)
                    }
                    try producer.flush(timeout: .seconds(30))
                }
                try send(["a", "b", "c"])
                let restorer = FollowingStateRestorer(base: KafkaStateRestorer(configuration: consumer))
                defer { restorer.close() }
                let first = try restorer.records(in: topic, after: [:]).map(\.valueString)
                let mine = try restorer.records(in: topic, after: [0: 1]).map(\.valueString)
                let unknown = try restorer.records(in: uniqueName("missing"), after: [:])
                try send(["d", "e"])
                var later: [String] = []
                let deadline = ContinuousClock.now + .seconds(30)
                while later.count < 2 && ContinuousClock.now < deadline {
                    later = try restorer.records(in: topic, after: [0: 2, 1: 1]).map(\.valueString)
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return (first, mine, unknown.count, later)
            }
            // Partition 0 holds a, c (then d); partition 1 holds b (then e): partition order.
            #expect(first == ["a", "c", "b"])
            #expect(mine == ["c", "b"])
            #expect(unknown == 0)
            #expect(later == ["d", "e"])
        }
    }
}
