import Foundation
import Kafka
import Synchronization

/// The key and value bytes of the input a runner is processing, lent from librdkafka's fetch
/// buffer for the duration of `process` (no allocation or copy per input record), and its
/// headers, read from the message only when something asks for them: librdkafka allocates
/// and frees a parse buffer on every header read, even of a record without headers (~17% of
/// a no-op stage's thread), and the built-in stages never read their inputs' headers.
///
/// The runner lends one instance record after record. After `process` it checks whether
/// anything else still references the instance (the stage kept the record, or a copy of
/// it): if so it calls ``keep()``, which copies the bytes into the instance before the
/// message is destroyed, and lends a fresh instance next.
///
/// Reads cost nothing extra on the lending thread (the runner's, where `process` runs): only
/// that thread can end a lending, so while it reads, the memory stays. A read from another
/// thread (a stage that handed the record on) is counted, and `keep` waits — blocked, not
/// spinning — until such readers are done with the lent memory. Once kept, every read uses
/// the copies, which never change again. Headers are read from the message at most once per
/// lending, by whoever claims `headersState` first (librdkafka caches its parse in the
/// message, unguarded); `keep` reads them too if nobody had, so a kept record's headers
/// outlive the message.
final class LentRecordBytes: @unchecked Sendable {
    /// Lent memory; written by `lend` while the lending thread holds the only reference.
    private var lentKey: UnsafeRawBufferPointer?
    private var lentValue: UnsafeRawBufferPointer?
    /// The thread that lent the bytes (the only one that calls `lend` and `keep`).
    private var owner = pthread_self()
    /// The copies, written by `keep` before it publishes `isOwned`.
    private var ownedKey: [UInt8]?
    private var ownedValue: [UInt8]?
    /// Set by `keep` once the copies are in place.
    private let isOwned = Atomic<Bool>(false)
    /// Readers of lent memory on other threads right now.
    private let readers = Atomic<Int>(0)
    /// The lent message, whose headers are read on demand; nil when lent without one.
    private var message: KafkaConsumerRecordView?
    /// The headers once read (by a reader or `keep`); written by the thread that claimed
    /// `headersState`, or by `lend` while the lending thread holds the only reference.
    private var readHeaders: [KafkaHeader]?
    /// `unread`, `reading` (claimed by one thread) or `read` (`readHeaders` is set). One
    /// compare-exchange per lending where a lock took two atomic operations (a lock and an
    /// unlock, ~6% of the no-op runner's thread on this machine).
    private let headersState = Atomic<Int>(LentRecordBytes.unread)
    private static let unread = 0, reading = 1, read = 2

    /// Where `keep` waits for other threads' readers: one for all instances, as a wait is
    /// rare (a stage that hands records to another thread and keeps them) and short.
    private static let readersDone = NSCondition()

    init() {}

    /// Lends new bytes (the caller holds the only reference), and the headers of `message`
    /// (none without one) until `keep` or the next `lend`.
    func lend(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headersOf message: KafkaConsumerRecordView? = nil) {
        lentKey = key
        lentValue = value
        self.message = message
        readHeaders = nil
        headersState.store(Self.unread, ordering: .relaxed)
        owner = pthread_self()
    }

    /// Lends `record`'s key, value and headers.
    @inline(__always)
    func lend(_ record: KafkaConsumerRecordView) {
        lend(key: record.key, value: record.value, headersOf: record)
    }

    /// Copies the lent bytes so they outlive the message; returns once no other thread reads
    /// the lent memory. Called by the lending thread.
    func keep() {
        guard !isOwned.load(ordering: .relaxed) else { return }
        ownedKey = lentKey.map { Array($0) }
        ownedValue = lentValue.map { Array($0) }
        _ = readLentHeaders()
        isOwned.store(true, ordering: .sequentiallyConsistent)
        guard readers.load(ordering: .sequentiallyConsistent) > 0 else { return }
        Self.readersDone.lock()
        while readers.load(ordering: .sequentiallyConsistent) > 0 { Self.readersDone.wait() }
        Self.readersDone.unlock()
    }

    /// The lent message's headers, read from it on the first call.
    var headers: [KafkaHeader] {
        if isOwned.load(ordering: .acquiring) { return readHeaders ?? [] }
        if pthread_equal(pthread_self(), owner) != 0 { return readLentHeaders() }
        readers.add(1, ordering: .sequentiallyConsistent)
        defer { leave() }
        // As in `withBytesFromOtherThread`: `keep` waits for this reader, or it sees the copy.
        if isOwned.load(ordering: .sequentiallyConsistent) { return readHeaders ?? [] }
        return readLentHeaders()
    }

    /// Reads the message's headers unless already read. Only while the message is lent.
    /// A thread that finds another one reading them yields until it is done (a parse of
    /// one record's headers; two threads reading one record's headers at once is rare).
    private func readLentHeaders() -> [KafkaHeader] {
        if headersState.load(ordering: .acquiring) == Self.read { return readHeaders ?? [] }
        if headersState.compareExchange(expected: Self.unread, desired: Self.reading, ordering: .acquiring).exchanged {
            let headers = message?.headers ?? []
            readHeaders = headers
            headersState.store(Self.read, ordering: .releasing)
            return headers
        }
        while headersState.load(ordering: .acquiring) != Self.read { sched_yield() }
        return readHeaders ?? []
    }

    var key: [UInt8]? { withBytes { key, _ in key.map { Array($0) } } }
    var value: [UInt8]? { withBytes { _, value in value.map { Array($0) } } }

    /// Calls `body` with the key and value bytes, lent or owned.
    @inline(__always)
    func withBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        if isOwned.load(ordering: .acquiring) { return try withOwnedBytes(body) }
        if pthread_equal(pthread_self(), owner) != 0 { return try body(lentKey, lentValue) }
        return try withBytesFromOtherThread(body)
    }

    /// The lent key and value when `thread` (the caller's) is the lending thread and the
    /// bytes are not kept, else nil (use `withBytes`). Valid until the lending thread lends
    /// again or keeps: the runner produces a forwarded input from them without a closure
    /// (whose captures cost retains per record), naming its thread so no call is made here
    /// (around which the record's reference would be retained).
    @inline(__always)
    func lentBytes(onLendingThread thread: pthread_t) -> (key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?)? {
        guard !isOwned.load(ordering: .relaxed), owner == thread else { return nil }
        return (lentKey, lentValue)
    }

    private func withBytesFromOtherThread<R, E: Error>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        readers.add(1, ordering: .sequentiallyConsistent)
        // `keep` publishes `isOwned` before it counts readers: either it sees this reader and
        // waits for it, or this reader sees the copies.
        let owned = isOwned.load(ordering: .sequentiallyConsistent)
        defer { leave() }
        if owned { return try withOwnedBytes(body) }
        return try body(lentKey, lentValue)
    }

    private func leave() {
        let remaining = readers.subtract(1, ordering: .sequentiallyConsistent).newValue
        guard remaining == 0, isOwned.load(ordering: .sequentiallyConsistent) else { return }
        Self.readersDone.lock()
        Self.readersDone.broadcast()
        Self.readersDone.unlock()
    }

    private func withOwnedBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        try Self.withBytes(ownedKey) { (key) throws(E) -> R in
            try Self.withBytes(ownedValue) { (value) throws(E) -> R in try body(key, value) }
        }
    }

    private static func withBytes<R, E: Error>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
}
