import OnlineML

/// Writes canonical JSON (OnlineML's `CanonicalJSON` rules) straight into bytes, for payloads
/// written once per record: the caller emits object keys already in sorted order, so no
/// `JSONValue` tree is built and no keys are sorted per record. Tests check the output equals
/// `CanonicalJSON.encodeBytes` of the payload's `json`.
///
/// The bytes go into a buffer of its own through a pointer, and ``bytes`` copies them out once:
/// a prediction record is some twenty short pieces, and appending each to an `[UInt8]` (a
/// uniqueness and capacity check and a `memcpy` call per piece) was most of encoding it.
/// Noncopyable: it owns the buffer.
struct CanonicalWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

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
        base.deallocate()
        base = newBase
        capacity = newCapacity
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

    /// `CanonicalJSON.writeNumber`'s text: integers below 1e15 as `N.0`, others with the
    /// standard library's `Double.write(to:)` straight into the buffer (see ``ASCIISink``)
    /// instead of through `description`: a prediction record has two such numbers
    /// (probability, loss), and each `description` was a heap-allocated String (over 15
    /// bytes) built and freed per record.
    mutating func number(_ x: Double) {
        guard x.isFinite else {
            raw("null")
            return
        }
        if x.magnitude < 1e15, x == x.rounded(.towardZero), !(x == 0 && x.sign == .minus) {
            integer(Int64(x))
            raw(".0")
            return
        }
        // The shortest round-trip text of a finite Double is at most 24 bytes.
        reserve(ASCIISink.room)
        var sink = ASCIISink(base + count)
        x.write(to: &sink)
        if sink.count <= ASCIISink.room {
            count += sink.count
        } else {
            var text: [UInt8] = []
            CanonicalJSON.writeNumber(x, into: &text)
            text.withUnsafeBufferPointer { raw($0) }
        }
    }

    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        integer(Int64(i))
    }

    /// Decimal digits of `i`, as `String(i)` (and `CanonicalJSON.writeInteger`) writes them.
    mutating func integer(_ i: Int64) {
        reserve(20)
        if i < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = i.magnitude
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && magnitude >= bound {
            digits += 1
            bound = bound &* 10
        }
        var k = count + digits
        repeat {
            k -= 1
            base[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude > 0
        count += digits
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

/// Lets `Double.write(to:)` put its digits at a pointer: the standard library formats a
/// finite Double into a stack buffer and hands it over as ASCII (`_writeASCII`), the same
/// shortest round-trip text `description` gives (tests compare the two over random bit
/// patterns and every fixture value). Writes at most ``room`` bytes; `count` says how many
/// were offered (more than `room`: nothing usable was written).
struct ASCIISink: TextOutputStream {
    static let room = 32
    let target: UnsafeMutablePointer<UInt8>
    var count = 0

    init(_ target: UnsafeMutablePointer<UInt8>) {
        self.target = target
    }

    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { _writeASCII($0) }
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        if count + buffer.count <= Self.room, let source = buffer.baseAddress {
            (target + count).update(from: source, count: buffer.count)
        }
        count += buffer.count
    }
}
