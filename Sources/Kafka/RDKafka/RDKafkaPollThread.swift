import CRdKafka
import Foundation
import Synchronization

/// A dedicated thread that serves a handle's callbacks (delivery reports, errors) with
/// `rd_kafka_poll`, so blocking waits never run on Swift's cooperative pool.
final class RDKafkaPollThread: Sendable {
    private let client: RDKafkaClient
    private let running = Atomic<Bool>(true)
    private let finished = DispatchSemaphore(value: 0)
    /// Changed by a caller that serves the queue itself while it enqueues in bulk
    /// (`KafkaProducer.enqueue`); the thread then stays out of the way for a while.
    let inlineActivity = Atomic<Int>(0)

    init(client: RDKafkaClient, name: String) {
        self.client = client
        let thread = Thread { [self] in
            var seen = 0
            while running.load(ordering: .acquiring) {
                // While the caller serves delivery reports itself, a second poller would only
                // contend for the queue and free records on another thread than the one that
                // allocated them (both measured as the Swift layer's extra cost).
                let activity = inlineActivity.load(ordering: .relaxed)
                if activity != seen {
                    seen = activity
                    usleep(10_000)
                    continue
                }
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
