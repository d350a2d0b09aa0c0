import Kafka
import Synchronization

/// Delivery reports handed from the producer's poll thread to the runner's thread.
final class DeliveryInbox: Sendable {
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    /// Called on the producer's poll thread.
    func post(_ report: KafkaDeliveryReport) {
        reports.withLock { $0.append(report) }
    }

    /// Everything posted since the last call, in order.
    func take() -> [KafkaDeliveryReport] {
        reports.withLock { reports in
            guard !reports.isEmpty else { return [] }
            defer { reports.removeAll(keepingCapacity: true) }
            return reports
        }
    }
}
