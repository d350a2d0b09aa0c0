/// The canonical JSON encoding of a ``JSONValue``: the bytes hashed into a model's content hash.
///
/// Rules: no whitespace; object keys sorted by their UTF-8 bytes; doubles in the shortest form
/// that round-trips (Swift's `description`, e.g. `0.1`, `1e-05`, `-0.0`, `5.0`); integers
/// without a decimal point; strings escape `"` `\` and control characters (`\b \f \n \r \t`,
/// others as `\u00XX`), everything else is raw UTF-8. Non-finite doubles never reach a document
/// (they are rejected upstream); they are written as `null` defensively.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func encodeBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .number(let x):
            if x.isFinite { out.append(contentsOf: x.description.utf8) } else { out.append(contentsOf: "null".utf8) }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (k, key) in keys.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses any JSON text (objects may nest). Integers without fraction or exponent that fit
    /// an `Int` become ``JSONValue/integer(_:)``.
    public static func parse(_ text: String) throws(ModelDocumentError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, ModelDocumentError> = text.withUTF8 { buffer in
            do throws(ModelDocumentError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses the JSON text in `buffer` (e.g. one member's value inside a larger text).
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(ModelDocumentError) -> JSONValue {
        var scanner = JSONScanner(buffer)
        do throws(JSONSyntaxError) {
            let v = try value(&scanner, depth: 0)
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("trailing characters") }
            return v
        } catch {
            throw ModelDocumentError("JSON syntax at byte \(error.offset): \(error.detail)")
        }
    }

    private static func value(_ s: inout JSONScanner, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < 64 else { throw s.error("nesting too deep") }
        switch try s.peek() {
        case UInt8(ascii: "{"):
            s.position += 1
            var members: [String: JSONValue] = [:]
            if try s.peek() == UInt8(ascii: "}") {
                s.position += 1
                return .object(members)
            }
            while true {
                let key = try s.string()
                try s.expect(UInt8(ascii: ":"), "':'")
                guard members[key] == nil else { throw s.error("duplicate key '\(key)'") }
                members[key] = try value(&s, depth: depth + 1)
                let next = try s.peek()
                s.position += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                guard next == UInt8(ascii: ",") else { throw s.error("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            s.position += 1
            var items: [JSONValue] = []
            if try s.peek() == UInt8(ascii: "]") {
                s.position += 1
                return .array(items)
            }
            while true {
                items.append(try value(&s, depth: depth + 1))
                let next = try s.peek()
                s.position += 1
                if next == UInt8(ascii: "]") { return .array(items) }
                guard next == UInt8(ascii: ",") else { throw s.error("expected ',' or ']'") }
            }
        case UInt8(ascii: "\""): return .string(try s.string())
        case UInt8(ascii: "t"): try s.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try s.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try s.literal("null"); return .null
        default:
            let start = s.position
            let x = try s.number()
            let text = UnsafeBufferPointer(rebasing: s.bytes[start..<s.position])
            if !text.contains(UInt8(ascii: ".")) && !text.contains(UInt8(ascii: "e")) && !text.contains(UInt8(ascii: "E")),
                let i = Int(String(decoding: text, as: UTF8.self)) {
                return .integer(i)
            }
            return .number(x)
        }
    }
}
