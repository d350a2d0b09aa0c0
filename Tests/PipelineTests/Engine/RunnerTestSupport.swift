import Dispatch
import Foundation
import Kafka
import Pipeline
import TestSupport

/// Unique names so tests never see each other's topics or groups.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runner settings for tests: the broker's test client settings, quick commits.
func runnerConfiguration(
    _ broker: TestBroker, stage: String, input: String, topics: StageTopics, group: String
) -> StageRunnerConfiguration {
    var configuration = StageRunnerConfiguration(
        stage: stage, inputTopics: [input], topics: topics,
        consumer: broker.consumerConfiguration(group: group), producer: broker.producerConfiguration())
    configuration.commitInterval = .milliseconds(200)
    configuration.lagRefreshInterval = .milliseconds(500)
    return configuration
}

/// Every record of `topic` up to its end, read off the cooperative pool.
func readTopic(_ broker: TestBroker, _ topic: String) async throws -> [KafkaConsumerRecord] {
    let configuration = broker.consumerConfiguration(group: uniqueName("read"))
    return try await offPool { try KafkaStateRestorer(configuration: configuration).records(in: topic) }
}

/// The group's committed offsets of `partitions` of `topic`.
func committedOffsets(_ broker: TestBroker, group: String, topic: String, partitions: Int) async throws -> [Int64] {
    let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: group))
    defer { try? consumer.close() }
    let list = (0..<Int32(partitions)).map { KafkaTopicPartition(topic: topic, partition: $0) }
    return try await offPool { try consumer.committed(list).map(\.offset.rawValue) }
}

/// The offset after the last record of each of `partitions` of `topic`, from reading it (the
/// broker's high marks are not trusted: Tansu 0.6 under-reports them).
func endOffsets(_ broker: TestBroker, topic: String, partitions: Int) async throws -> [Int64] {
    let records = try await readTopic(broker, topic)
    return (0..<Int32(partitions)).map { partition in
        (records.filter { $0.partition == partition }.map(\.offset).max() ?? -1) + 1
    }
}

/// Produces `values` (keyed `k<i>`) and waits for delivery.
func produce(_ broker: TestBroker, _ topic: String, _ values: [(key: String, value: String)]) async throws {
    let producer = try KafkaProducer(configuration: broker.producerConfiguration())
    defer { producer.close() }
    for (key, value) in values {
        try producer.enqueue(topic: topic, key: key, value: value)
    }
    try await producer.flush(timeout: .seconds(30))
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

/// Runs a blocking call on a Dispatch thread.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// A stage that forwards three copies of each value: many outputs per input.
struct TriplingStage: Stage {
    mutating func process(_ record: StageRecord, context: StageContext) throws {
        for copy in 0..<3 {
            context.forward(StageRecord(key: record.keyString, value: "\(record.valueString)#\(copy)"), to: .topic("triple"))
        }
    }
}
