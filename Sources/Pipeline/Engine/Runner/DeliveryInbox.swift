import Foundation
import Kafka
import Synchronization

/// Delivery reports handed from the producer's callbacks (on its poll thread, or on the
/// runner's thread while it serves them) to the runner's thread. Successful deliveries of
/// tagged records arrive as bare tags (no report built per record); everything else as a
/// report.
///
/// Tags posted on the taking thread itself — the common case: the runner serves its
/// producer's reports after every batch — skip the lock (a lock per delivered record
/// measured ~2% of a no-op stage's thread). `@unchecked Sendable`: `ownTags` is only
/// touched on that thread; everything else is under the mutex.
final class DeliveryInbox: @unchecked Sendable {
    private struct Box: Sendable {
        var tags: [UInt64] = []
        var reports: [KafkaDeliveryReport] = []
    }

    private let box = Mutex(Box())
    /// The thread that takes from the inbox (the one that created it).
    private let owner = pthread_self()
    /// Tags posted on `owner`.
    private var ownTags: [UInt64] = []
    /// Set while the owner waits for records with outputs in flight (``beginWaiting()``): the
    /// first report posted from another thread then calls `wake`.
    private let ownerWaits = Atomic<Bool>(false)
    private let wake = Mutex<(@Sendable () -> Void)?>(nil)

    /// What wakes the owner from its wait (its consumer's `wakeUp`).
    func onWake(_ body: @escaping @Sendable () -> Void) {
        wake.withLock { $0 = body }
    }

    /// The owner is about to wait for records: a report posted meanwhile wakes it once.
    func beginWaiting() { ownerWaits.store(true, ordering: .releasing) }

    /// The owner's wait is over.
    func endWaiting() { ownerWaits.store(false, ordering: .relaxed) }

    private func wakeOwnerIfWaiting() {
        guard ownerWaits.exchange(false, ordering: .acquiringAndReleasing) else { return }
        wake.withLock { $0 }?()
    }

    /// Called by the producer for every report it does not pass as a tag.
    func post(_ report: KafkaDeliveryReport) {
        box.withLock { $0.reports.append(report) }
        wakeOwnerIfWaiting()
    }

    /// Called by the producer for a tagged record delivered without error.
    func postDelivered(_ tag: UInt64) {
        if pthread_equal(pthread_self(), owner) != 0 {
            ownTags.append(tag)
            return
        }
        box.withLock { $0.tags.append(tag) }
        wakeOwnerIfWaiting()
    }

    /// Everything posted since the last call, in order.
    func take() -> [KafkaDeliveryReport] {
        box.withLock { box in
            guard !box.reports.isEmpty else { return [] }
            defer { box.reports.removeAll(keepingCapacity: true) }
            return box.reports
        }
    }

    /// Swaps the delivered tags posted since the last call into `tags` (emptied first; the
    /// arrays' storage is reused in turn, so no allocation per call) and returns the reports
    /// posted meanwhile. Call on the thread that created the inbox.
    func take(tags: inout [UInt64]) -> [KafkaDeliveryReport] {
        tags.removeAll(keepingCapacity: true)
        swap(&tags, &ownTags)
        return box.withLock { box in
            if !box.tags.isEmpty {
                tags.append(contentsOf: box.tags)
                box.tags.removeAll(keepingCapacity: true)
            }
            guard !box.reports.isEmpty else { return [] }
            defer { box.reports.removeAll(keepingCapacity: true) }
            return box.reports
        }
    }
}
