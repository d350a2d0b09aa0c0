import CRdKafka
import Foundation
import Synchronization

/// A dedicated thread that serves a handle's callbacks (delivery reports, errors) with
/// `rd_kafka_poll`, so blocking waits never run on Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private let client: RDKafkaClient
    private let running = Atomic<Bool>(true)
    private let finished = DispatchSemaphore(value: 0)

    init(client: RDKafkaClient, name: String) {
        self.client = client
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                rd_kafka_poll(client.handle, 100)
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the loop and waits for the thread to leave it (at most one poll interval).
    func stop() {
        if running.exchange(false, ordering: .acquiringAndReleasing) {
            finished.wait()
        }
    }
}
