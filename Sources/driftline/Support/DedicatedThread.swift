import Foundation

/// Runs a command's blocking body (librdkafka calls, file reads, waits for signals) on a thread
/// of its own, so it never occupies a thread of Swift's cooperative pool.
enum DedicatedThread {
    static func run(name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
