import Dispatch

/// Runs a blocking librdkafka call on a Dispatch thread and awaits it, so the cooperative pool
/// never blocks. For infrequent calls (transactions, admin, flush); polls use their own queues.
func runBlocking<T: Sendable>(
    on queue: DispatchQueue = .global(),
    _ body: @escaping @Sendable () throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        queue.async {
            continuation.resume(with: Result { try body() })
        }
    }
}

extension Duration {
    /// Milliseconds for librdkafka, clamped to Int32.
    var kafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, millis))
    }
}
