import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGTERM and SIGINT (or other signals) into a call, e.g. ``StageRunner/shutdown()``,
/// so `kill` or Ctrl-C stops a stage gracefully.
///
/// ```swift
/// let signals = ShutdownSignals { runner.shutdown() }
/// try await runner.run()
/// signals.cancel()
/// ```
///
/// The first use of a signal replaces its default action by one Dispatch signal source for the
/// rest of the process (re-creating sources for one signal is unreliable); handlers come and
/// go on it. A signal arriving while no handler is registered gets its default action.
public final class ShutdownSignals: Sendable {
    private static let registry = SignalRegistry()
    private let id: Int
    public let signals: [Int32]

    /// Registers `onSignal`; it runs on a Dispatch queue with the signal number.
    public init(_ signals: [Int32] = [SIGTERM, SIGINT], onSignal: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        id = Self.registry.add(signals: signals, handler: onSignal)
    }

    /// Convenience: `onSignal` without the signal number.
    public convenience init(_ signals: [Int32] = [SIGTERM, SIGINT], onSignal: @escaping @Sendable () -> Void) {
        self.init(signals) { (_: Int32) in onSignal() }
    }

    /// Unregisters the handler. Safe to call twice.
    public func cancel() {
        Self.registry.remove(id)
    }
}

/// The process-wide signal sources and the handlers registered on them.
private final class SignalRegistry: @unchecked Sendable {
    // @unchecked: `state` is a Mutex; the sources are created under it and never released.
    private struct Handler {
        var id: Int
        var signals: [Int32]
        var call: @Sendable (Int32) -> Void
    }

    private struct State {
        var nextID = 0
        var handlers: [Handler] = []
        var sources: [Int32: any DispatchSourceSignal] = [:]
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "driftline-shutdown-signals")

    func add(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> Int {
        state.withLock { state in
            for number in signals where state.sources[number] == nil {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [unowned self] in self.fire(number) }
                source.resume()
                state.sources[number] = source
            }
            state.nextID += 1
            state.handlers.append(Handler(id: state.nextID, signals: signals, call: handler))
            return state.nextID
        }
    }

    func remove(_ id: Int) {
        state.withLock { $0.handlers.removeAll { $0.id == id } }
    }

    private func fire(_ number: Int32) {
        let handlers = state.withLock { $0.handlers.filter { $0.signals.contains(number) } }
        guard !handlers.isEmpty else {
            // Nobody asked for this signal now: behave as if we had never handled it.
            signal(number, SIG_DFL)
            raise(number)
            return
        }
        for handler in handlers { handler.call(number) }
    }
}
