import OnlineML

/// Writes canonical JSON (OnlineML's `CanonicalJSON` rules) straight into bytes, for payloads
/// written once per record: the caller emits object keys already in sorted order, so no
/// `JSONValue` tree is built and no keys are sorted per record. Tests check the output equals
/// `CanonicalJSON.encodeBytes` of the payload's `json`; numbers, integers and strings are
/// written by `CanonicalJSON`'s own routines.
struct CanonicalWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":` — `key` must need no escaping.
    mutating func key(_ text: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(text)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// `CanonicalJSON.writeNumber`'s text, with the non-integer case written by the
    /// standard library's `Double.write(to:)` straight into the bytes (see
    /// ``_writeASCII(_:)``) instead of through `description`: a prediction record has two
    /// such numbers (probability, loss), and each `description` was a heap-allocated String
    /// (over 15 bytes) built and freed per record.
    mutating func number(_ x: Double) {
        guard x.isFinite else {
            raw("null")
            return
        }
        if x.magnitude < 1e15, x == x.rounded(.towardZero), !(x == 0 && x.sign == .minus) {
            CanonicalJSON.writeInteger(Int64(x), into: &bytes)
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0"))
        } else {
            x.write(to: &self)
        }
    }

    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        CanonicalJSON.writeInteger(Int64(i), into: &bytes)
    }

    /// A string that needs no escape is copied from its UTF-8 storage in one go (what
    /// `CanonicalJSON.writeString` writes for it, without stepping through `String.UTF8View`);
    /// any other goes through `CanonicalJSON`.
    mutating func string(_ s: String) {
        var s = s
        let plain = s.withUTF8 { (utf8) -> Bool in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !plain { CanonicalJSON.writeString(s, into: &bytes) }
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
        integer(Int(position.offset))
        raw(",\"partition\":")
        integer(Int(position.partition))
        raw(",\"topic\":")
        string(position.topic)
        bytes.append(UInt8(ascii: "}"))
    }
}

/// Lets `Double.write(to:)` append its digits directly: the standard library formats a
/// finite Double into a stack buffer and hands it over as ASCII (`_writeASCII`), the same
/// shortest round-trip text `description` gives (tests compare the two over random bit
/// patterns and every fixture value).
extension CanonicalWriter: TextOutputStream {
    mutating func write(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }
}
