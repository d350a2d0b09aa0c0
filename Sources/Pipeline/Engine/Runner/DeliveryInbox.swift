import Kafka
import Synchronization

/// Delivery reports handed from the producer's callbacks (on its poll thread, or on the
/// runner's thread while it serves them) to the runner's thread. Successful deliveries of
/// tagged records arrive as bare tags (no report built per record); everything else as a
/// report.
final class DeliveryInbox: Sendable {
    private struct Box: Sendable {
        var tags: [UInt64] = []
        var reports: [KafkaDeliveryReport] = []
    }

    private let box = Mutex(Box())

    /// Called by the producer for every report it does not pass as a tag.
    func post(_ report: KafkaDeliveryReport) {
        box.withLock { $0.reports.append(report) }
    }

    /// Called by the producer for a tagged record delivered without error.
    func postDelivered(_ tag: UInt64) {
        box.withLock { $0.tags.append(tag) }
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
    /// two arrays' storage is reused in turn, so no allocation per call) and returns the
    /// reports posted meanwhile.
    func take(tags: inout [UInt64]) -> [KafkaDeliveryReport] {
        tags.removeAll(keepingCapacity: true)
        return box.withLock { box in
            swap(&tags, &box.tags)
            guard !box.reports.isEmpty else { return [] }
            defer { box.reports.removeAll(keepingCapacity: true) }
            return box.reports
        }
    }
}
