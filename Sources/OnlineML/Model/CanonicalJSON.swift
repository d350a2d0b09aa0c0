#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        case .integer(let i): writeInteger(Int64(i), into: &out)
        case .number(let x): writeNumber(x, into: &out)
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
            for (k, member) in sortedMembers(members).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The members in canonical key order (their UTF-8 bytes). Each key's first 16 bytes are
    /// packed big-endian into two words once, so most comparisons are two integer compares; equal
    /// prefixes fall back to the full byte comparison. Keys of a dictionary are distinct, so the
    /// order does not depend on the dictionary's (seeded) iteration order.
    static func sortedMembers(_ members: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        let items = Array(members)
        return sortedOrder(items.map(\.key)).map { items[$0] }
    }

    /// The indices of `keys` in canonical order (their UTF-8 bytes), by the packed-prefix
    /// comparison above. Equal keys keep no particular order: callers pass distinct keys.
    static func sortedOrder(_ keys: [String]) -> [Int] {
        let prefixes = keys.map { prefixWords($0) }
        var order = Array(keys.indices)
        prefixes.withUnsafeBufferPointer { prefixes in
            order.sort { i, j in
                let a = prefixes[i], b = prefixes[j]
                if a.0 != b.0 { return a.0 < b.0 }
                if a.1 != b.1 { return a.1 < b.1 }
                return utf8Precedes(keys[i], keys[j])
            }
        }
        return order
    }

    /// The first 16 UTF-8 bytes of `s`, big-endian, zero-padded: comparing the words compares
    /// the prefixes byte by byte.
    static func prefixWords(_ s: String) -> (UInt64, UInt64) {
        var s = s
        return s.withUTF8 { bytes in
            var high: UInt64 = 0, low: UInt64 = 0
            for k in 0..<min(8, bytes.count) { high |= UInt64(bytes[k]) << UInt64(56 - 8 * k) }
            if bytes.count > 8 {
                for k in 8..<min(16, bytes.count) { low |= UInt64(bytes[k]) << UInt64(120 - 8 * k) }
            }
            return (high, low)
        }
    }

    /// Whether `a`'s UTF-8 bytes sort before `b`'s: the canonical key order, compared with
    /// `memcmp` on the strings' own storage (a model document sorts thousands of feature names).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                if n > 0 {
                    let order = memcmp(x.baseAddress!, y.baseAddress!, n)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
    }

    /// A double as its `description` (the shortest round-trip form); whole numbers below 1e15
    /// (which `description` writes as `N.0`) without building a `String`. Non-finite: `null`.
    public static func writeNumber(_ x: Double, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: numberCapacity) { buffer in
            let n = formatNumber(x, at: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Decimal digits of `i`, as `String(i)` writes them.
    public static func writeInteger(_ i: Int64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: integerCapacity) { buffer in
            let n = formatInteger(i, at: buffer.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// The most bytes ``formatNumber(_:at:)`` writes (the shortest round-trip text of a
    /// finite double is at most 24).
    public static let numberCapacity = 32

    /// The most bytes ``formatInteger(_:at:)`` writes (`-9223372036854775808`).
    public static let integerCapacity = 20

    /// ``writeNumber(_:into:)``'s text at `target`, which has room for ``numberCapacity``
    /// bytes; returns how many it wrote. For writers with a buffer of their own (record
    /// encoders), so that a number is one formatting pass and no `String`.
    public static func formatNumber(_ x: Double, at target: UnsafeMutablePointer<UInt8>) -> Int {
        guard x.isFinite else {
            for (k, b) in "null".utf8.enumerated() { target[k] = b }
            return 4
        }
        if x.magnitude < 1e15, x == x.rounded(.towardZero), !(x == 0 && x.sign == .minus) {
            let n = formatInteger(Int64(x), at: target)
            target[n] = UInt8(ascii: ".")
            target[n + 1] = UInt8(ascii: "0")
            return n + 2
        }
        // `write(to:)` hands the same digits as `description` to the sink as a buffer.
        var sink = DigitSink(target: target)
        x.write(to: &sink)
        precondition(sink.count <= numberCapacity, "a double's text is longer than \(numberCapacity) bytes")
        return sink.count
    }

    /// ``writeInteger(_:into:)``'s text at `target`, which has room for ``integerCapacity``
    /// bytes; returns how many it wrote.
    public static func formatInteger(_ i: Int64, at target: UnsafeMutablePointer<UInt8>) -> Int {
        var start = 0
        if i < 0 {
            target[0] = UInt8(ascii: "-")
            start = 1
        }
        var magnitude = i.magnitude
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && magnitude >= bound {
            digits += 1
            bound = bound &* 10
        }
        var k = start + digits
        repeat {
            k -= 1
            target[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        } while magnitude > 0
        return start + digits
    }

    /// Lets `Double.write(to:)` put its digits at a pointer. The standard library formats a
    /// finite double into a stack buffer and hands it over through `_writeASCII` (its fast
    /// path for ASCII text); without that hook `write(_:)` gets the same text as a `String`.
    /// Writes at most ``numberCapacity`` bytes; `count` says how many were offered.
    private struct DigitSink: TextOutputStream {
        let target: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func write(_ string: String) {
            var string = string
            string.withUTF8 { _writeASCII($0) }
        }

        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
            if count + buffer.count <= CanonicalJSON.numberCapacity, let source = buffer.baseAddress {
                (target + count).update(from: source, count: buffer.count)
            }
            count += buffer.count
        }
    }

    public static func writeString(_ s: String, into out: inout [UInt8]) {
        // Most strings (feature names, keys) need no escape: scanned and copied from their
        // contiguous UTF-8 storage in one go, not byte by byte through `String.UTF8View`.
        var s = s
        let plain = s.withUTF8 { (utf8) -> Bool in
            for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if plain { return }
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
