/// Why one input line was not sent, in words a person can fix the file with.
struct BadLine: Error, Sendable {
    var reason: String
}

/// Turns input lines into record values (JSON objects) and keys.
///
/// Decoders reuse their `key` and `value` buffers from line to line: read them right after
/// `decode` returns true and before the next call.
protocol EventLineDecoder {
    /// The value of the last decoded record: one JSON object.
    var value: [UInt8] { get }
    /// The key of the last decoded record, when a key field is configured.
    var key: [UInt8]? { get }
    /// Decodes one line. Returns false for a line that carries no record (blank, CSV header).
    mutating func decode(_ line: UnsafeRawBufferPointer) throws(BadLine) -> Bool
}

extension EventLineDecoder {
    /// The key text for a field's raw JSON value: strings unescaped, numbers and booleans as
    /// written. Null, objects and arrays cannot be keys.
    static func keyBytes(
        field: String, rawValue: UnsafeRawBufferPointer, into key: inout [UInt8]
    ) throws(BadLine) {
        key.removeAll(keepingCapacity: true)
        switch rawValue.first {
        case UInt8(ascii: "\""):
            let inner = UnsafeRawBufferPointer(rebasing: rawValue[1..<(rawValue.count - 1)])
            if inner.contains(UInt8(ascii: "\\")) {
                key.append(contentsOf: JSONText.unescape(rawValue).utf8)
            } else {
                key.append(contentsOf: inner)
            }
        case UInt8(ascii: "n"):
            throw BadLine(reason: "key field '\(field)' is null")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            throw BadLine(reason: "key field '\(field)' is an object or array, not a string or number")
        default:
            key.append(contentsOf: rawValue)
        }
    }
}
