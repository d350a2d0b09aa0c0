import CRdKafka
import Foundation
import Synchronization

/// Wakes a consumer's fetching broker threads on librdkafka before 2.3.
///
/// There, a partition whose prefetch queue reached `queued.max.messages.kbytes` gets no fetch
/// backoff at all: its broker thread sleeps until an operation or a response on its own
/// connection wakes it, at the latest after a fixed second, although the application may have
/// emptied the queue at once (docs/operations.md, "Stage client defaults"). A request to the
/// partition's leader is such an operation: `wake` sends one ListOffsets per leader
/// (`rd_kafka_offsets_for_times` for the latest offsets; the answer is not used) from a thread
/// of its own, so the caller never waits for the round trip. Wakes asked before the thread
/// takes the last one are coalesced into one.
public final class KafkaFetchWaker: Sendable {
    private let consumer: KafkaConsumer
    /// The partitions of the next wake; nil when none is asked.
    private let pending = Mutex<[KafkaTopicPartition]?>(nil)
    private let running = Atomic<Bool>(true)
    private let signal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Wakes sent (for tests and statistics).
    private let sent = Atomic<Int>(0)

    public init(consumer: KafkaConsumer) {
        self.consumer = consumer
        let thread = Thread { [self] in
            while true {
                signal.wait()
                guard running.load(ordering: .acquiring) else { break }
                guard let partitions = pending.withLock({ $0.take() }), !partitions.isEmpty else { continue }
                let list = RDKafkaTopicPartitionList(partitions, offset: .end)
                _ = rd_kafka_offsets_for_times(consumer.client.handle, list.pointer, 1000)
                sent.add(1, ordering: .relaxed)
            }
            finished.signal()
        }
        thread.name = "rdk-fetch-waker"
        thread.start()
    }

    /// Asks for a request to each leader of `partitions`; returns at once.
    public func wake(_ partitions: [KafkaTopicPartition]) {
        let idle = pending.withLock { waiting in
            let idle = waiting == nil
            waiting = partitions
            return idle
        }
        if idle { signal.signal() }
    }

    /// How many wakes were sent.
    public var wakesSent: Int { sent.load(ordering: .relaxed) }

    /// Stops the thread and waits for it (at most one request's timeout). Call before closing
    /// the consumer.
    public func stop() {
        if running.exchange(false, ordering: .acquiringAndReleasing) {
            signal.signal()
            finished.wait()
        }
    }
}
