import Synchronization

/// The key and value bytes of the input a runner is processing, lent from librdkafka's fetch
/// buffer for the duration of `process` (no allocation or copy per input record).
///
/// The runner lends one instance record after record. After `process` it checks whether
/// anything else still references the instance (the stage kept the record, or a copy of
/// it): if so it calls ``keep()``, which copies the bytes into the instance before the
/// message is destroyed, and lends a fresh instance next. Reads from other threads are safe:
/// a reader of lent memory is counted, and `keep` waits for it to finish.
final class LentRecordBytes: @unchecked Sendable {
    /// Lent memory, only read under the rules above.
    private struct Lent: @unchecked Sendable {
        var buffer: UnsafeRawBufferPointer?
    }

    private struct State: Sendable {
        var key = Lent()
        var value = Lent()
        /// After `keep`: the bytes are owned copies.
        var ownedKey: [UInt8]?
        var ownedValue: [UInt8]?
        var isOwned = false
        /// Readers of lent memory right now (other threads only, in practice).
        var readers = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Lends new bytes (the caller holds the only reference).
    func lend(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        state.withLock { state in
            state.key = Lent(buffer: key)
            state.value = Lent(buffer: value)
        }
    }

    /// Copies the lent bytes so they outlive the message; returns once no reader uses them.
    func keep() {
        state.withLock { state in
            guard !state.isOwned else { return }
            state.ownedKey = state.key.buffer.map { Array($0) }
            state.ownedValue = state.value.buffer.map { Array($0) }
            state.isOwned = true
        }
        while state.withLock({ $0.readers }) > 0 {}
    }

    var key: [UInt8]? { withBytes { key, _ in key.map { Array($0) } } }
    var value: [UInt8]? { withBytes { _, value in value.map { Array($0) } } }

    /// Calls `body` with the key and value bytes, lent or owned.
    func withBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        let (isOwned, key, value, ownedKey, ownedValue) = state.withLock { state in
            if !state.isOwned { state.readers += 1 }
            return (state.isOwned, state.key, state.value, state.ownedKey, state.ownedValue)
        }
        if isOwned {
            return try Self.withBytes(ownedKey) { (key) throws(E) -> R in
                try Self.withBytes(ownedValue) { (value) throws(E) -> R in try body(key, value) }
            }
        }
        defer { state.withLock { $0.readers -= 1 } }
        return try body(key.buffer, value.buffer)
    }

    private static func withBytes<R, E: Error>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
}
