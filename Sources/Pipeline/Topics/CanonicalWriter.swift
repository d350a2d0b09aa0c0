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

    mutating func number(_ x: Double) {
        CanonicalJSON.writeNumber(x, into: &bytes)
    }

    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        CanonicalJSON.writeInteger(Int64(i), into: &bytes)
    }

    mutating func string(_ s: String) {
        CanonicalJSON.writeString(s, into: &bytes)
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
