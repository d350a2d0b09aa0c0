import OnlineML

/// Writes canonical JSON (OnlineML's `CanonicalJSON` rules) straight into bytes, for payloads
/// written once per record: the caller emits object keys already in sorted order, so no
/// `JSONValue` tree is built and no keys are sorted per record. Tests check the output equals
/// `CanonicalJSON.encodeBytes` of the payload's `json`.
///
/// The bytes go into a buffer of its own through a pointer, and ``bytes`` copies them out once:
/// a prediction record is some twenty short pieces, and appending each to an `[UInt8]` (a
/// uniqueness and capacity check and a `memcpy` call per piece) was most of encoding it.
/// Noncopyable: it owns the buffer (or, from ``withStackBuffer(_:)``, writes into the caller's
/// stack until it outgrows it).
struct CanonicalWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Whether `base` was allocated here (not lent by ``withStackBuffer(_:)``).
    private var owned = true

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    private init(lending storage: UnsafeMutableBufferPointer<UInt8>) {
        base = storage.baseAddress!
        capacity = storage.count
        owned = false
    }

    deinit { if owned { base.deallocate() } }

    /// The bytes `body` writes, through a writer whose buffer is on the stack: a record of a
    /// few hundred bytes then costs one allocation (the returned array) instead of three (the
    /// writer's buffer, its regrowth when a reservation of the last members did not fit, and
    /// the array). A record longer than the stack buffer continues on the heap.
    static func withStackBuffer(_ body: (inout CanonicalWriter) -> Void) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stackCapacity) { storage in
            var writer = CanonicalWriter(lending: storage)
            body(&writer)
            return writer.bytes
        }
    }

    /// At most what `withUnsafeTemporaryAllocation` always places on the stack (larger sizes
    /// ask the runtime whether the thread's stack has room).
    static let stackCapacity = 1024

    /// What was written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        if owned { base.deallocate() }
        base = newBase
        capacity = newCapacity
        owned = true
    }

    @inline(__always)
    private mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// Short pieces byte by byte (no call), longer ones with one copy.
    @inline(__always)
    mutating func raw(_ piece: UnsafeBufferPointer<UInt8>) {
        let n = piece.count
        guard n > 0, let source = piece.baseAddress else { return }
        reserve(n)
        let target = base + count
        if n <= 16 {
            for k in 0..<n { target[k] = source[k] }
        } else {
            target.update(from: source, count: n)
        }
        count += n
    }

    mutating func raw(_ text: StaticString) {
        raw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `"key":` — `key` must need no escaping.
    mutating func key(_ text: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(text)
        byte(UInt8(ascii: "\""))
        byte(UInt8(ascii: ":"))
    }

    /// `CanonicalJSON.writeNumber`'s text, formatted in place: a prediction record has two
    /// non-integer numbers (probability, loss), and building each as a `String` (heap-allocated
    /// past 15 bytes) was most of encoding one.
    mutating func number(_ x: Double) {
        reserve(CanonicalJSON.numberCapacity)
        count += CanonicalJSON.formatNumber(x, at: base + count)
    }

    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        integer(Int64(i))
    }

    /// Decimal digits of `i`, as `String(i)` (and `CanonicalJSON.writeInteger`) writes them.
    mutating func integer(_ i: Int64) {
        reserve(CanonicalJSON.integerCapacity)
        count += CanonicalJSON.formatInteger(i, at: base + count)
    }

    /// A string that needs no escape is copied from its UTF-8 storage in one go (what
    /// `CanonicalJSON.writeString` writes for it, without stepping through `String.UTF8View`);
    /// any other goes through `CanonicalJSON`.
    mutating func string(_ s: String) {
        var s = s
        let plain = s.withUTF8 { (utf8) -> Bool in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            reserve(utf8.count + 2)
            byte(UInt8(ascii: "\""))
            raw(utf8)
            byte(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            var text: [UInt8] = []
            CanonicalJSON.writeString(s, into: &text)
            text.withUnsafeBufferPointer { raw($0) }
        }
    }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    mutating func value(_ value: FieldValue?) {
        switch value {
        case .number(let x)?: number(x)
        case .string(let s)?: string(s)
        case .bool(let b)?: raw(b ? "true" : "false")
        case .null?, nil: raw("null")
        }
    }

    /// `{"offset":…,"partition":…,"topic":…}`
    mutating func position(_ position: SourcePosition) {
        raw("{\"offset\":")
        integer(position.offset)
        raw(",\"partition\":")
        integer(Int64(position.partition))
        raw(",\"topic\":")
        string(position.topic)
        byte(UInt8(ascii: "}"))
    }
}
