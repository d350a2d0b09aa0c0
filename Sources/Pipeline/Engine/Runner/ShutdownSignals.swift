import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGTERM and SIGINT (or other signals) into a call, e.g. ``StageRunner/shutdown()``,
/// so `kill` or Ctrl-C stops a stage gracefully: the default action (terminate) is replaced
/// by a Dispatch signal source for as long as this value lives.
///
/// ```swift
/// let signals = ShutdownSignals { runner.shutdown() }
/// try await runner.run()
/// signals.cancel()
/// ```
public final class ShutdownSignals: @unchecked Sendable {
    // @unchecked: the sources are immutable references; Dispatch sources are thread-safe
    // and only `cancel()` is called on them after init.
    private let sources: [any DispatchSourceSignal]
    public let signals: [Int32]

    /// Installs the handlers. `onSignal` runs on a Dispatch queue with the signal number.
    public init(_ signals: [Int32] = [SIGTERM, SIGINT], onSignal: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        let queue = DispatchQueue(label: "driftline-shutdown-signals")
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { onSignal(number) }
            source.resume()
            return source
        }
    }

    /// Convenience: `onSignal` without the signal number.
    public convenience init(_ signals: [Int32] = [SIGTERM, SIGINT], onSignal: @escaping @Sendable () -> Void) {
        self.init(signals) { (_: Int32) in onSignal() }
    }

    /// Removes the handlers and restores the default action of each signal.
    public func cancel() {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
