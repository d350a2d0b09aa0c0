import Dispatch
import Pipeline
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM as a flag and a wake-up, for commands that poll in a loop of their own
/// (`broker`, `subscribe`, `produce`): they stop at a point of their choosing and exit 0
/// instead of being killed mid-write.
///
/// Built on the engine's ``ShutdownSignals`` (the one place that installs signal handlers).
/// After the first signal the registration is cancelled, so a second Ctrl-C or SIGTERM gets
/// the default action should the orderly stop itself hang.
final class ShutdownSignal: Sendable {
    private let received = Atomic<Int32>(0)
    private let semaphore = DispatchSemaphore(value: 0)
    private let registration = Mutex<ShutdownSignals?>(nil)

    init() {
        let signals = ShutdownSignals { [self] (number: Int32) in
            guard received.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged
            else { return }
            registration.withLock { $0?.cancel() }
            semaphore.signal()
        }
        registration.withLock { $0 = signals }
    }

    deinit {
        registration.withLock { $0?.cancel() }
    }

    /// Whether SIGINT or SIGTERM arrived.
    var isRequested: Bool { received.load(ordering: .acquiring) != 0 }

    /// The signal that arrived, e.g. "SIGTERM".
    var signalName: String {
        switch received.load(ordering: .acquiring) {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "no signal"
        }
    }

    /// Blocks the calling thread until a signal arrives.
    func wait() {
        semaphore.wait()
        semaphore.signal()
    }
}
