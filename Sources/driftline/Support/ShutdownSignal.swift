import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM turned into a flag and a wake-up, so long-running commands stop at a
/// point of their choosing and exit 0 instead of being killed mid-write.
///
/// The default actions are ignored until the first signal arrives; the handlers run on a
/// private dispatch queue, never inside a signal context. `@unchecked Sendable`: `sources` is
/// set once in `init` and only kept alive afterwards; the mutable state is atomic.
final class ShutdownSignal: @unchecked Sendable {
    private let requested = Atomic<Bool>(false)
    private let received = Atomic<Int32>(0)
    private let semaphore = DispatchSemaphore(value: 0)
    private let sources: [any DispatchSourceSignal]
    private let queue = DispatchQueue(label: "driftline-signals")

    /// Starts listening for SIGINT and SIGTERM. `onSignal` runs once, on the first of them.
    init(onSignal: (@Sendable (Int32) -> Void)? = nil) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: signalNumber, queue: queue))
        }
        self.sources = sources
        for (source, signalNumber) in zip(sources, [SIGINT, SIGTERM]) {
            source.setEventHandler { [self] in
                guard !requested.exchange(true, ordering: .acquiringAndReleasing) else { return }
                // A second Ctrl-C (or SIGTERM) kills the process as usual, should the orderly
                // stop itself hang.
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                received.store(signalNumber, ordering: .releasing)
                onSignal?(signalNumber)
                semaphore.signal()
            }
            source.resume()
        }
    }

    /// Whether SIGINT or SIGTERM arrived.
    var isRequested: Bool { requested.load(ordering: .acquiring) }

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
