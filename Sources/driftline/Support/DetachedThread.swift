import Foundation
import Synchronization

/// A blocking body on a thread of its own whose end can be awaited (a feeder, a watcher):
/// it never occupies a thread of Swift's cooperative pool.
final class DetachedThread: Sendable {
    private let done = Mutex<(finished: Bool, error: String?, waiters: [CheckedContinuation<Void, Never>])>((false, nil, []))

    init(name: String, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            var failure: String?
            do { try body() } catch { failure = String(describing: error) }
            let waiters = done.withLock { state in
                state.finished = true
                state.error = failure
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The error the body threw, once it has.
    var error: String? { done.withLock { $0.error } }

    /// Waits for the body to return; returns its error, if any.
    @discardableResult
    func wait() async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = done.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
        return error
    }
}

/// Set once by a signal handler, read by the control loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
