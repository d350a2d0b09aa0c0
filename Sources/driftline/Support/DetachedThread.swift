import Foundation
import Synchronization

/// A blocking body (librdkafka calls, file reads, a feeder, a watcher) on a thread of its own
/// whose end can be awaited: it never occupies a thread of Swift's cooperative pool.
final class DetachedThread: Sendable {
    private let done = Mutex<(finished: Bool, error: (any Error)?, waiters: [CheckedContinuation<Void, Never>])>((false, nil, []))

    /// Runs `body` on a thread named `name` and waits for it, rethrowing what it throws.
    static func run(name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        let thread = DetachedThread(name: name, body)
        await thread.finish()
        if let error = thread.thrown { throw error }
    }

    init(name: String, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            var failure: (any Error)?
            do { try body() } catch { failure = error }
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
    var thrown: (any Error)? { done.withLock { $0.error } }

    /// The error the body threw, described, once it has.
    var error: String? { thrown.map { String(describing: $0) } }

    /// Waits for the body to return; returns its error, described, if any.
    @discardableResult
    func wait() async -> String? {
        await finish()
        return error
    }

    private func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = done.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }
}

/// Set once by a signal handler, read by the control loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
