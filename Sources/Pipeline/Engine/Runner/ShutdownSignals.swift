import Foundation
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
/// The first use of a signal installs a process-wide handler for the rest of the process;
/// callbacks come and go on it. A signal arriving while no callback is registered gets its
/// default action.
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

/// The process-wide signal handlers and the callbacks registered on them.
///
/// A C signal handler writes the signal number into a pipe (`write` is async-signal-safe);
/// one thread reads the pipe and calls the registered callbacks. Unlike a Dispatch signal
/// source (signalfd on Linux, which only sees the signal when every thread blocks it), this
/// catches the signal whichever thread the kernel picks.
private final class SignalRegistry: Sendable {
    private struct Handler {
        var id: Int
        var signals: [Int32]
        var call: @Sendable (Int32) -> Void
    }

    private struct State {
        var nextID = 0
        var handlers: [Handler] = []
        var installed: [Int32] = []
        var readerStarted = false
    }

    private let state = Mutex(State())

    func add(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> Int {
        let (id, startReader) = state.withLock { state -> (Int, Bool) in
            _ = SignalPipe.descriptors  // initialised before any handler can run
            for number in signals where !state.installed.contains(number) {
                signal(number) { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(SignalPipe.descriptors.write, &byte, 1)
                }
                state.installed.append(number)
            }
            state.nextID += 1
            state.handlers.append(Handler(id: state.nextID, signals: signals, call: handler))
            defer { state.readerStarted = true }
            return (state.nextID, !state.readerStarted)
        }
        if startReader {
            let thread = Thread { [self] in
                var byte: UInt8 = 0
                while true {
                    let count = read(SignalPipe.descriptors.read, &byte, 1)
                    if count == 1 {
                        fire(Int32(byte))
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
            thread.name = "driftline-shutdown-signals"
            thread.start()
        }
        return id
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

/// The self-pipe between the C signal handler and the reader thread.
private enum SignalPipe {
    static let descriptors: (read: Int32, write: Int32) = {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "cannot create the signal pipe")
        return (fds[0], fds[1])
    }()
}
