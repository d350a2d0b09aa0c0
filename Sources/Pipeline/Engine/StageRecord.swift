import Foundation
import Kafka

/// A record a stage receives or emits: key, value, headers and timestamp, as in Kafka
/// Streams' `Record`. Where an input came from is in ``StageContext/source``.
///
/// An input the runner hands to `process` borrows its key and value from the consumer's
/// fetch buffer instead of copying them (see ``LentRecordBytes``): read them in place with
/// ``withUnsafeKeyBytes(_:)`` and ``withUnsafeValueBytes(_:)``, or as arrays through `key`
/// and `value` (a copy per read). Forwarding the input unchanged produces straight from that
/// buffer. A stage may keep an input record past `process` as it would any value: the runner
/// notices and copies the bytes before the buffer goes. An input's headers are read from the
/// consumed message when first asked for (`headers`), so a stage that never reads them does
/// not pay for it; a dead-lettered or forwarded input still carries them.
public struct StageRecord: Sendable, Hashable {
    private var ownedKey: [UInt8]?
    private var ownedValue: [UInt8]?
    /// Set for a lent input: key and value are there, not in `ownedKey`/`ownedValue`.
    private var lent: LentRecordBytes?
    /// nil for a lent input whose headers are still the message's (read on first access).
    /// An optional rather than a flag beside the array: one more stored field made the
    /// compiler copy and destroy records through their value witnesses instead of inline
    /// (~8% of a no-op stage's thread).
    private var ownedHeaders: [KafkaHeader]?
    /// Milliseconds since the Unix epoch; nil when unknown. Inputs' timestamps drive stream
    /// time. Outputs without one get the broker's (create) time.
    public var timestampMilliseconds: Int64?
    /// For outputs: the partition to write to; nil lets the key choose (default partitioner).
    public var partition: Int32?

    public init(
        key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil, partition: Int32? = nil
    ) {
        self.ownedKey = key
        self.ownedValue = value
        self.ownedHeaders = headers
        self.timestampMilliseconds = timestampMilliseconds
        self.partition = partition
    }

    /// A record with UTF-8 key and value.
    public init(
        key: String?, value: String, headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil, partition: Int32? = nil
    ) {
        self.init(
            key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers,
            timestampMilliseconds: timestampMilliseconds, partition: partition)
    }

    /// The record a consumer read (partition left nil: outputs choose their own).
    public init(_ record: KafkaConsumerRecord) {
        self.init(
            key: record.key, value: record.isTombstone ? nil : record.value, headers: record.headers,
            timestampMilliseconds: record.timestampMilliseconds)
    }

    /// A record whose key, value and headers are `lent`'s (the runner's input path).
    init(lent: LentRecordBytes, timestampMilliseconds: Int64?) {
        self.lent = lent
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// The record's headers. A lent input's are read from the consumed message on first
    /// access (each access of an unchanged input returns the same read).
    public var headers: [KafkaHeader] {
        get {
            if let ownedHeaders { return ownedHeaders }
            return lent?.headers ?? []
        }
        set { ownedHeaders = newValue }
        _modify {
            // Moved out while modified, so an append does not copy the array.
            var headers = ownedHeaders ?? lent?.headers ?? []
            ownedHeaders = nil
            defer { ownedHeaders = headers }
            yield &headers
        }
    }

    /// nil when the record has no key. Reading it from a lent input copies the bytes.
    public var key: [UInt8]? {
        get { lent.map { $0.key } ?? ownedKey }
        set {
            takeOwnership()
            ownedKey = newValue
        }
    }

    /// nil for a tombstone (a delete marker on compacted topics). Reading it from a lent input
    /// copies the bytes.
    public var value: [UInt8]? {
        get { lent.map { $0.value } ?? ownedValue }
        set {
            takeOwnership()
            ownedValue = newValue
        }
    }

    /// Calls `body` with the key bytes (nil: no key) without copying them. The buffer is
    /// valid only inside `body`.
    public func withUnsafeKeyBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        if let lent { return try lent.withBytes { key, _ throws(E) in try body(key) } }
        return try Self.withBytes(ownedKey, body)
    }

    /// Calls `body` with the value bytes (nil: tombstone) without copying them. The buffer is
    /// valid only inside `body`.
    public func withUnsafeValueBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer?) throws(E) -> R) throws(E) -> R {
        if let lent { return try lent.withBytes { _, value throws(E) in try body(value) } }
        return try Self.withBytes(ownedValue, body)
    }

    /// Key and value bytes together (what the runner produces from).
    func withUnsafeKeyAndValueBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        if let lent { return try lent.withBytes(body) }
        return try Self.withBytes(ownedKey) { (key) throws(E) -> R in
            try Self.withBytes(ownedValue) { (value) throws(E) -> R in try body(key, value) }
        }
    }

    /// Key and value of a lent input read on its lending thread, `thread` (see
    /// ``LentRecordBytes/lentBytes(onLendingThread:)``); nil otherwise.
    @inline(__always)
    func lentBytes(onLendingThread thread: pthread_t) -> (key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?)? {
        lent?.lentBytes(onLendingThread: thread)
    }

    /// The value's length in bytes, nil for a tombstone (no copy).
    public var valueCount: Int? { withUnsafeValueBytes { $0?.count } }

    /// The key decoded as UTF-8.
    public var keyString: String? { withUnsafeKeyBytes { $0.map { String(decoding: $0, as: UTF8.self) } } }
    /// The value decoded as UTF-8 (empty for a tombstone).
    public var valueString: String { withUnsafeValueBytes { $0.map { String(decoding: $0, as: UTF8.self) } ?? "" } }

    /// Copies lent headers into the record itself (before changing them or dropping `lent`).
    private mutating func takeHeaders() {
        guard ownedHeaders == nil else { return }
        ownedHeaders = lent?.headers ?? []
    }

    /// Copies lent bytes into the record itself (before changing key or value).
    private mutating func takeOwnership() {
        guard let lent else { return }
        takeHeaders()
        ownedKey = lent.key
        ownedValue = lent.value
        self.lent = nil
    }

    private static func withBytes<R, E: Error>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        guard let bytes else { return try body(nil) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }

    public static func == (lhs: StageRecord, rhs: StageRecord) -> Bool {
        lhs.headers == rhs.headers && lhs.timestampMilliseconds == rhs.timestampMilliseconds
            && lhs.partition == rhs.partition && lhs.key == rhs.key && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value)
        hasher.combine(headers)
        hasher.combine(timestampMilliseconds)
        hasher.combine(partition)
    }
}
