import Kafka
import Testing

@testable import Pipeline

/// The commit rule of the runner, without a broker: a partition's committable offset never
/// passes an input whose outputs are not all delivered, whatever order reports come in.
@Suite struct DeliveryTrackerTests {
    static let partition = KafkaTopicPartition(topic: "in", partition: 0)
    static let other = KafkaTopicPartition(topic: "in", partition: 1)

    static func input(_ offset: Int64, _ partition: KafkaTopicPartition = partition) -> KafkaConsumerRecord {
        KafkaConsumerRecord(topic: partition.topic, partition: partition.partition, offset: offset, key: nil, value: [])
    }

    static func report(_ tag: UInt64, failed: Bool = false) -> KafkaDeliveryReport {
        var report = KafkaDeliveryReport(
            topic: "out", partition: 0, offset: KafkaOffset(0),
            error: failed ? KafkaError(code: -192, name: "_MSG_TIMED_OUT", message: "timed out", operation: "delivery") : nil)
        report.deliveryTag = tag
        return report
    }

    /// Processes `offset` with `outputs` outputs; returns its tag.
    static func handle(_ tracker: inout DeliveryTracker, _ offset: Int64, outputs: Int,
                       _ partition: KafkaTopicPartition = partition) -> UInt64 {
        let record = input(offset, partition)
        let tag = tracker.begin(record)
        for _ in 0..<outputs { tracker.enqueued(tag: tag, partition: partition, offset: offset) }
        return tag
    }

    @Test func commitsOnlyBelowTheOldestUndeliveredInput() {
        var tracker = DeliveryTracker()
        #expect(tracker.committable(Self.partition) == nil)
        let a = Self.handle(&tracker, 10, outputs: 2)
        let b = Self.handle(&tracker, 11, outputs: 1)
        _ = Self.handle(&tracker, 12, outputs: 0)
        let d = Self.handle(&tracker, 13, outputs: 1)
        #expect(tracker.inFlight == 4)
        #expect(tracker.committable(Self.partition) == 10)
        // Reports out of order: later inputs delivered first do not move the commit.
        tracker.delivered(Self.report(d))
        tracker.delivered(Self.report(b))
        tracker.delivered(Self.report(a))
        #expect(tracker.committable(Self.partition) == 10, "one output of 10 is still in flight")
        tracker.delivered(Self.report(a))
        #expect(tracker.committable(Self.partition) == 14)
        #expect(tracker.inFlight == 0)
    }

    @Test func partitionsAreIndependent() {
        var tracker = DeliveryTracker()
        let a = Self.handle(&tracker, 0, outputs: 1)
        _ = Self.handle(&tracker, 5, outputs: 1, Self.other)
        tracker.delivered(Self.report(a))
        #expect(tracker.committable(Self.partition) == 1)
        #expect(tracker.committable(Self.other) == 5)
        #expect(tracker.trackedPartitions == [Self.partition, Self.other])
    }

    @Test func aFailedDeliveryHoldsTheCommitForever() {
        var tracker = DeliveryTracker()
        let a = Self.handle(&tracker, 0, outputs: 1)
        let b = Self.handle(&tracker, 1, outputs: 1)
        tracker.delivered(Self.report(a, failed: true))
        tracker.delivered(Self.report(b))
        #expect(tracker.failures.count == 1)
        #expect(tracker.committable(Self.partition) == 0)
    }

    @Test func outputsWithoutAnInputHoldTheTaskPosition() {
        var tracker = DeliveryTracker()
        // Before any input: nothing to hold back.
        #expect(tracker.barrier(Self.partition).tag == DeliveryTracker.untracked)
        _ = Self.handle(&tracker, 7, outputs: 0)
        let (tag, offset) = tracker.barrier(Self.partition)
        #expect(offset == 8)
        tracker.enqueued(tag: tag, partition: Self.partition, offset: offset)
        _ = Self.handle(&tracker, 8, outputs: 0)
        #expect(tracker.committable(Self.partition) == 8, "the punctuation output is in flight")
        tracker.delivered(Self.report(tag))
        #expect(tracker.committable(Self.partition) == 9)
    }

    @Test func forgettingAPartitionDropsItsPendingInputs() {
        var tracker = DeliveryTracker()
        let a = Self.handle(&tracker, 3, outputs: 1)
        tracker.forget(Self.partition)
        #expect(tracker.committable(Self.partition) == nil)
        tracker.delivered(Self.report(a))  // a late report is harmless
        #expect(tracker.inFlight == 0)
    }

    /// A partition assigned again gets new tags: reports for its previous assignment's outputs
    /// neither release nor hold back the new inputs.
    @Test func reportsOfAForgottenAssignmentDoNotTouchTheNextOne() {
        var tracker = DeliveryTracker()
        let old = Self.handle(&tracker, 3, outputs: 1)
        tracker.forget(Self.partition)
        let new = Self.handle(&tracker, 3, outputs: 1)
        #expect(old != new)
        tracker.delivered(Self.report(old))
        #expect(tracker.committable(Self.partition) == 3, "the new input's output is still in flight")
        tracker.delivered(Self.report(new))
        #expect(tracker.committable(Self.partition) == 4)
        #expect(tracker.inFlight == 0)
    }

    /// Inputs whose outputs are delivered leave the queue as their reports come in, not only
    /// when the runner asks what to commit (once a second): a backlog's worth of inputs is
    /// never held, while the commit stays right.
    @Test func deliveredInputsLeaveTheQueueBetweenCommits() {
        var tracker = DeliveryTracker()
        var tags: [UInt64] = []
        for offset in 0..<20_000 {
            tags.append(Self.handle(&tracker, Int64(offset), outputs: 1))
            if offset >= 100 { tracker.delivered(tags: [tags[offset - 100]]) }
        }
        let pending = tracker.progress(Self.partition).pending.count
        #expect(pending <= 100 + 2 * DeliveryTracker.dropThreshold, "\(pending) inputs still queued")
        #expect(tracker.committable(Self.partition) == 19_900)
        tracker.delivered(tags: Array(tags.suffix(100)))
        #expect(tracker.committable(Self.partition) == 20_000)
        #expect(tracker.inFlight == 0)
    }

    /// Many inputs, reports in reverse order: the commit jumps to the end only at the last
    /// report, and the queue of finished inputs is compacted on the way.
    @Test func longRunsOfInputsCommitInOrder() {
        var tracker = DeliveryTracker()
        let tags = (0..<5000).map { Self.handle(&tracker, Int64($0), outputs: 1) }
        for tag in tags.dropFirst().reversed() { tracker.delivered(Self.report(tag)) }
        #expect(tracker.committable(Self.partition) == 0)
        tracker.delivered(Self.report(tags[0]))
        #expect(tracker.committable(Self.partition) == 5000)
        let more = Self.handle(&tracker, 5000, outputs: 2)
        tracker.delivered(Self.report(more))
        #expect(tracker.committable(Self.partition) == 5000)
        tracker.delivered(Self.report(more))
        #expect(tracker.committable(Self.partition) == 5001)
    }
}
