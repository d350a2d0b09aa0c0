import Foundation
import Kafka
import Pipeline
import Testing
import TestSupport

/// `StateRestorer.records(in:after:)`: what the learner uses to follow the alert topic.
@Suite(.serialized) struct ControlTopicReadTests {
    @Test func kafkaRestorerReadsOnlyWhatIsNew() async throws {
        try await withBroker(.embedded) { broker in
            let topic = "control-\(UUID().uuidString.prefix(8).lowercased())"
            try broker.createTopic(topic, partitions: 2)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            for index in 0..<6 {
                try producer.enqueue(topic: topic, key: nil, value: Array("v\(index)".utf8), partition: Int32(index % 2))
            }
            try await producer.flush(timeout: .seconds(30))
            producer.close()
            let configuration = broker.consumerConfiguration(group: "control")
            let (all, tail, none, missing) = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    let restorer = KafkaStateRestorer(configuration: configuration)
                    continuation.resume(with: Result {
                        (try restorer.records(in: topic, after: [:]),
                         try restorer.records(in: topic, after: [0: 2, 1: 1]),
                         try restorer.records(in: topic, after: [0: 3, 1: 3]),
                         try restorer.records(in: "absent-\(topic)", after: [:]))
                    })
                }
            }
            #expect(all.count == 6)
            #expect(tail.map { "\($0.partition)@\($0.offset)" } == ["0@2", "1@1", "1@2"])
            #expect(none.isEmpty)
            #expect(missing.isEmpty)
        }
    }

    @Test func inMemoryTopicsFilterTheSameWay() throws {
        let topics = InMemoryTopics(defaultPartitions: 2)
        for index in 0..<6 {
            topics.append(StageRecord(value: Array("v\(index)".utf8), partition: Int32(index % 2)), to: "c", timestampMilliseconds: 0)
        }
        let tail = try topics.records(in: "c", after: [0: 2, 1: 1])
        #expect(tail.map { "\($0.partition)@\($0.offset)" } == ["0@2", "1@1", "1@2"])
    }
}
