import OnlineML

/// The pieces record payloads have beyond a model document's: optional members (`null`),
/// event values and source positions. Tests check a record's bytes equal
/// `CanonicalJSON.encodeBytes` of its `json`.
extension CanonicalWriter {
    mutating func number(_ x: Double?) {
        if let x { number(x) } else { raw("null") }
    }

    mutating func integer(_ i: Int) {
        integer(Int64(i))
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
