import OnlineML

/// A pull scanner over one JSON payload, for the per-record decoders of the features and
/// prediction payloads: it reads members in place (no `JSONValue` tree, no key dictionary)
/// and skips what a reader does not need (the learner skips the feature vectors).
///
/// Numbers are read with Swift's `Double(_:)` (correctly rounded, like the event parser's
/// `strtod`), so every number Driftline wrote reads back to the same double.
struct PayloadScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Whether the next `nextKey`/`nextItem` is the first of its container.
    private var first = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func error(_ detail: String) -> PayloadError {
        PayloadError("JSON syntax at byte \(position): \(detail)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func peek() throws(PayloadError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end") }
        return bytes[position]
    }

    mutating func expect(_ byte: UInt8) throws(PayloadError) {
        guard try peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    mutating func end() throws(PayloadError) {
        skipWhitespace()
        guard position == bytes.count else { throw error("trailing characters") }
    }

    // MARK: - Containers

    mutating func beginObject() throws(PayloadError) {
        try expect(UInt8(ascii: "{"))
        first = true
    }

    /// The next member's key (its value follows), or nil at the closing `}`.
    mutating func nextKey() throws(PayloadError) -> String? {
        if try peek() == UInt8(ascii: "}") {
            position += 1
            first = false
            return nil
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        let key = try string()
        try expect(UInt8(ascii: ":"))
        return key
    }

    mutating func beginArray() throws(PayloadError) {
        try expect(UInt8(ascii: "["))
        first = true
    }

    /// Whether another item follows (positioned at it), false at the closing `]`.
    mutating func nextItem() throws(PayloadError) -> Bool {
        if try peek() == UInt8(ascii: "]") {
            position += 1
            first = false
            return false
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        return true
    }

    // MARK: - Scalars

    /// Consumes `null` if it is next.
    mutating func null() throws(PayloadError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ text: StaticString) throws(PayloadError) {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        for k in 0..<count where bytes[position + k] != text.utf8Start[k] { throw error("invalid literal") }
        position += count
    }

    mutating func string() throws(PayloadError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string") }
            position += 1
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw error("control character in string") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            guard position < bytes.count else { break }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                          bytes[position + 1] == UInt8(ascii: "u")
                    else { throw error("unpaired surrogate") }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(PayloadError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw error("invalid hex digit")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    /// The extent of a number token at the current position.
    private mutating func numberToken() throws(PayloadError) -> Range<Int> {
        skipWhitespace()
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                guard position > start else { throw error("expected a value") }
                return start..<position
            }
        }
        guard position > start else { throw error("expected a value") }
        return start..<position
    }

    mutating func number() throws(PayloadError) -> Double {
        let token = try numberToken()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[token]), as: UTF8.self)
        guard let x = Double(text) else { throw error("invalid number '\(text)'") }
        return x
    }

    mutating func integer() throws(PayloadError) -> Int {
        let token = try numberToken()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[token]), as: UTF8.self)
        guard let i = Int(text) else { throw error("'\(text)' is not an integer") }
        return i
    }

    mutating func optionalNumber() throws(PayloadError) -> Double? {
        try null() ? nil : try number()
    }

    mutating func optionalString() throws(PayloadError) -> String? {
        try null() ? nil : try string()
    }

    /// A scalar as an event value (JSON integers become doubles).
    mutating func fieldValue() throws(PayloadError) -> FieldValue {
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw error("a field value is not a scalar")
        default: return .number(try number())
        }
    }

    /// Skips any value.
    mutating func skipValue(depth: Int = 0) throws(PayloadError) {
        guard depth < 64 else { throw error("nesting too deep") }
        switch try peek() {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try beginArray()
            while try nextItem() { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberToken()
        }
    }

    /// `{"topic":…,"partition":…,"offset":…}` in any key order.
    mutating func position(_ name: String) throws(PayloadError) -> SourcePosition {
        var topic: String?
        var partition: Int?
        var offset: Int?
        try beginObject()
        while let key = try nextKey() {
            switch key {
            case "topic": topic = try string()
            case "partition": partition = try integer()
            case "offset": offset = try integer()
            default: try skipValue()
            }
        }
        guard let topic, let partition, let offset else {
            throw PayloadError("'\(name)' is not a {topic, partition, offset} object")
        }
        return SourcePosition(topic: topic, partition: Int32(partition), offset: Int64(offset))
    }

    /// Runs `body` over the payload bytes and checks the whole text was consumed.
    static func scan<T>(_ bytes: [UInt8]?, _ body: (inout PayloadScanner) throws(PayloadError) -> T)
        throws(PayloadError) -> T
    {
        guard let bytes else { throw PayloadError("the record has no value (tombstone)") }
        let result: Result<T, PayloadError> = bytes.withUnsafeBufferPointer { buffer in
            var scanner = PayloadScanner(buffer)
            do throws(PayloadError) {
                let value = try body(&scanner)
                try scanner.end()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
