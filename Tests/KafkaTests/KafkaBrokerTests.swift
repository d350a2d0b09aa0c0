import Foundation
import Kafka
import Testing
import TestSupport

/// All tests that talk to a broker, nested in one serialized suite so they run one at a time
/// (2 cores, broker processes). Each behaviour is one nested suite with one test per broker;
/// the Tansu tests are skipped, with the reason shown, unless `DRIFTLINE_TANSU` is set and the
/// loaded librdkafka is >= 2.10.
@Suite(.serialized) struct KafkaBrokerTests {}

/// Unique names so tests never see each other's topics or groups.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Reads from `consumer` until `count` records arrived or `timeout` passed, committing each
/// batch after "processing" it (at-least-once, as a stage would).
func consume(
    _ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(60), commit: Bool = true
) async throws -> [KafkaConsumerRecord] {
    var records: [KafkaConsumerRecord] = []
    let deadline = ContinuousClock.now + timeout
    while records.count < count && ContinuousClock.now < deadline {
        let batch = try await nextBatch(consumer, wait: .milliseconds(500))
        guard !batch.isEmpty else { continue }
        records.append(contentsOf: batch)
        if commit {
            try await commitTolerantly(consumer, batch)
        }
    }
    return records
}

/// Commits the offsets after `batch`; a commit refused because of a rebalance is expected
/// (the records will be redelivered) and ignored.
func commitTolerantly(_ consumer: KafkaConsumer, _ batch: [KafkaConsumerRecord]) async throws {
    do {
        try consumer.storeOffsets(for: batch)
        try await consumer.commit()
    } catch let error as KafkaError where error.isRetriable || error.name == "ILLEGAL_GENERATION"
        || error.name == "UNKNOWN_MEMBER_ID" || error.name == "_STATE"
    {
        // Rebalance in progress or partitions revoked: at-least-once redelivery follows.
    }
}

/// One batch from the async sequence, or empty after about `wait`.
func nextBatch(_ consumer: KafkaConsumer, wait: Duration) async throws -> [KafkaConsumerRecord] {
    let deadline = ContinuousClock.now + wait
    while ContinuousClock.now < deadline {
        let batch = try await pollOffPool(consumer, timeout: .milliseconds(100))
        if !batch.isEmpty { return batch }
    }
    return []
}

/// A blocking poll on a Dispatch thread (tests must not block the cooperative pool either).
func pollOffPool(_ consumer: KafkaConsumer, timeout: Duration) async throws -> [KafkaConsumerRecord] {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try consumer.poll(maxRecords: 5000, timeout: timeout) })
        }
    }
}

/// Polls until the consumer has a non-empty assignment (the group join finished).
func waitForAssignment(
    _ consumer: KafkaConsumer, timeout: Duration = .seconds(60)
) async throws -> [KafkaConsumerRecord] {
    var early: [KafkaConsumerRecord] = []
    let deadline = ContinuousClock.now + timeout
    while try consumer.assignment().isEmpty && ContinuousClock.now < deadline {
        early += try await pollOffPool(consumer, timeout: .milliseconds(100))
    }
    return early
}

extension Array where Element == UInt8 {
    init(_ string: String) { self = Array(string.utf8) }
}
