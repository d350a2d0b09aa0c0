import OnlineML

/// Writes canonical JSON (OnlineML's `CanonicalJSON` rules) straight into bytes, for payloads
/// written once per record: the caller emits object keys already in sorted order, so no
/// `JSONValue` tree is built and no keys are sorted per record. Tests check the output equals
/// `CanonicalJSON.encodeBytes` of the payload's `json`.
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
        if x.isFinite { bytes.append(contentsOf: x.description.utf8) } else { raw("null") }
    }

    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        bytes.append(contentsOf: String(i).utf8)
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
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
