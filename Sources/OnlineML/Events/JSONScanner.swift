#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A syntax error found by ``JSONScanner``: byte offset and what was expected.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var detail: String

    public init(offset: Int, detail: String) {
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "JSON syntax at byte \(offset): \(detail)" }
}

/// The one byte-level JSON tokenizer of the project: the flat event parser, the model-document
/// parser and the pipeline's topic payload readers all pull tokens from it.
///
/// Hand-rolled because Foundation's `JSONSerialization` loses key order (events must keep it)
/// and is slow for one small object per message. It reads members in place (no `JSONValue`
/// tree, no key dictionary) and skips what a reader does not need. Numbers are correctly
/// rounded (``DecimalToDouble``, else the C library's `strtod`), so a decimal string gives the
/// same double as in Python and every number Driftline wrote reads back to the same double.
public struct JSONScanner {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var position: Int = 0
    /// Whether the next ``nextKey()``/``nextItem()`` is the first of its container.
    private var first = false

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { position >= bytes.count }

    public func error(_ detail: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: position, detail: detail)
    }

    @inline(__always)
    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    @inline(__always)
    public mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        return bytes[position]
    }

    @inline(__always)
    public mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        guard try peek() == byte else { throw error("expected \(what)") }
        position += 1
    }

    public mutating func literal(_ text: StaticString) throws(JSONSyntaxError) {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("invalid literal") }
        for k in 0..<count where bytes[position + k] != text.utf8Start[k] {
            throw error("invalid literal")
        }
        position += count
    }

    /// A string starting at the current `"`.
    public mutating func string() throws(JSONSyntaxError) -> String {
        var key: UInt64 = 0
        return try string(key: &key)
    }

    /// A string starting at the current `"`, and a hash of its UTF-8 bytes in `key` (equal
    /// strings have equal keys), computed on the bytes already at hand.
    mutating func string(key: inout UInt64) throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        // Fast path: no escapes, on a local cursor.
        if let base = bytes.baseAddress {
            let end = bytes.count
            var p = position
            while p < end {
                let b = base[p]
                if b == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(start: base + start, count: p - start)
                    key = Self.key(raw, readable: end - start)
                    position = p + 1
                    return String(decoding: raw, as: UTF8.self)
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 {
                    position = p
                    throw error("control character in string")
                }
                p += 1
            }
            position = p
        }
        guard position < bytes.count else { throw error("unterminated string") }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                key = out.withUnsafeBufferPointer { Self.key($0, readable: $0.count) }
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") {
                out.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { throw error("unterminated escape") }
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
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("unpaired surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    /// An event field name at `position` of its object: ``string(key:)``, reusing the
    /// previous event's name from `names` when the bytes are the same (no new `String`).
    mutating func fieldName(key: inout UInt64, position index: Int, names: inout EventFieldNames) throws(JSONSyntaxError) -> String {
        skipWhitespace()
        if let base = bytes.baseAddress, position < bytes.count, base[position] == UInt8(ascii: "\"") {
            let start = position + 1
            var p = start
            while p < bytes.count {
                let b = base[p]
                if b == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(start: base + start, count: p - start)
                    key = Self.key(raw, readable: bytes.count - start)
                    position = p + 1
                    if let name = names.name(at: index, raw: raw, key: key) { return name }
                    let name = String(decoding: raw, as: UTF8.self)
                    names.store(name, key: key, at: index)
                    return name
                }
                if b == UInt8(ascii: "\\") || b < 0x20 { break }
                p += 1
            }
        }
        // Escapes, or an error to report: the general reader, not cached.
        return try string(key: &key)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
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

    /// A number per the JSON grammar, correctly rounded. Up to 19 significant digits are
    /// gathered while validating and converted by ``DecimalToDouble`` (the same result as
    /// `strtod`, faster); longer ones and the rare undecided roundings go to `strtod`.
    /// The cursor is a local (stored back on every exit) so the digit loops stay in registers.
    @inline(__always)
    public mutating func number() throws(JSONSyntaxError) -> Double {
        skipWhitespace()
        guard let base = bytes.baseAddress, position < bytes.count else { throw error("expected a digit") }
        let start = position
        let end = bytes.count
        var p = position
        func fail(_ detail: String) -> JSONSyntaxError { JSONSyntaxError(offset: p, detail: detail) }
        var negative = false
        if p < end, base[p] == UInt8(ascii: "-") {
            negative = true
            p += 1
        }
        guard p < end, isDigit(base[p]) else { position = p; throw fail("expected a digit") }
        var significand: UInt64 = 0
        var digits = 0  // significant digits gathered (leading zeros are not)
        var exponent = 0
        var exact = true  // false when more than 19 significant digits
        if base[p] == UInt8(ascii: "0") {
            p += 1
        } else {
            while p < end, isDigit(base[p]) {
                if digits < 19 {
                    significand = significand &* 10 &+ UInt64(base[p] &- 0x30)
                    digits += 1
                } else {
                    exact = false
                }
                p += 1
            }
        }
        if p < end, base[p] == UInt8(ascii: ".") {
            p += 1
            guard p < end, isDigit(base[p]) else { position = p; throw fail("expected a digit after '.'") }
            // Leading zeros, and the first significant digit, one at a time (they set `digits`).
            while digits == 0, p < end, isDigit(base[p]) {
                let d = base[p] &- 0x30
                if d != 0 {
                    significand = UInt64(d)
                    digits = 1
                }
                exponent &-= 1
                p &+= 1
            }
            // Then 8 at a time while they fit in 19 digits, then one at a time.
            while digits <= 11, let eight = Self.eightDigits(base + p, available: end - p) {
                significand = significand &* 100_000_000 &+ eight
                digits &+= 8
                exponent &-= 8
                p &+= 8
            }
            // The last 1–7 digits in one go as well (one load, no loop to mispredict), when
            // they still fit in 19 digits; the loop below then only meets the end.
            if digits > 0, end - p >= 8 {
                let word = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self).littleEndian
                let n = Self.leadingDigitCount(word)
                if n > 0 && n < 8 && digits + n <= 19 {
                    significand = significand &* Self.smallPowerOfTen(n) &+ Self.leadingDigitsValue(word, count: n)
                    digits &+= n
                    exponent &-= n
                    p &+= n
                }
            }
            while p < end, isDigit(base[p]) {
                let d = base[p] &- 0x30
                if digits == 0 && d == 0 {
                    exponent -= 1
                } else if digits < 19 {
                    significand = significand &* 10 &+ UInt64(d)
                    digits += 1
                    exponent -= 1
                } else {
                    exact = false
                }
                p += 1
            }
        }
        if p < end, base[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            var exponentNegative = false
            if p < end, base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-") {
                exponentNegative = base[p] == UInt8(ascii: "-")
                p += 1
            }
            guard p < end, isDigit(base[p]) else { position = p; throw fail("expected an exponent digit") }
            var value = 0
            while p < end, isDigit(base[p]) {
                if value < 100_000 { value = value * 10 + Int(base[p] &- 0x30) }
                p += 1
            }
            exponent += exponentNegative ? -value : value
        }
        position = p
        if exact, let v = DecimalToDouble.convert(significand: significand, exponent: exponent, negative: negative) {
            return v
        }
        return Self.strtodCorrectlyRounded(UnsafeBufferPointer(rebasing: bytes[start..<p]))
    }

    // MARK: - Pulling containers and optional values (the topic payload readers)

    /// Expects a `{`; then ``nextKey()`` yields the members.
    public mutating func beginObject() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "'{'")
        first = true
    }

    /// The next member's key (its value follows), or nil at the closing `}`.
    public mutating func nextKey() throws(JSONSyntaxError) -> String? {
        guard try stepToNext(closing: UInt8(ascii: "}"), "',' or '}'") else { return nil }
        let key = try string()
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    /// A member key read in place, for readers that match a few known keys: comparing its
    /// bytes with a literal builds no `String` (a payload reader used to spend more on making
    /// and comparing key strings than on the values).
    public struct MemberKey {
        /// The key's bytes: in the input when it has no escapes, else decoded into `decoded`.
        @usableFromInline let raw: UnsafeBufferPointer<UInt8>
        @usableFromInline let decoded: String?

        @inlinable
        public static func == (key: MemberKey, literal: StaticString) -> Bool {
            if let decoded = key.decoded {
                return literal.withUTF8Buffer { decoded.utf8.elementsEqual($0) }
            }
            let count = literal.utf8CodeUnitCount
            guard key.raw.count == count else { return false }
            let bytes = literal.utf8Start
            for k in 0..<count where key.raw[k] != bytes[k] { return false }
            return true
        }

        /// The key as a string (for messages).
        public var string: String { decoded ?? String(decoding: raw, as: UTF8.self) }
    }

    /// The next value when it is a string without escapes, as its bytes in place (no
    /// `String`); nil, with the position unchanged, for anything else (read it another way).
    public mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard let base = bytes.baseAddress, position < bytes.count, base[position] == UInt8(ascii: "\"") else {
            return nil
        }
        var p = position + 1
        while p < bytes.count {
            let b = base[p]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(start: base + position + 1, count: p - position - 1)
                position = p + 1
                return raw
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            p += 1
        }
        return nil
    }

    /// Whether `raw` holds exactly the UTF-8 bytes of `string` (one `memcmp` over the string's
    /// storage, not a walk of its `UTF8View`).
    @inline(__always)
    public static func bytes(_ raw: UnsafeBufferPointer<UInt8>, equal string: String) -> Bool {
        if let equal = string.utf8.withContiguousStorageIfAvailable({ utf8 -> Bool in
            guard utf8.count == raw.count else { return false }
            guard let a = utf8.baseAddress, let b = raw.baseAddress else { return true }
            return memcmp(a, b, raw.count) == 0
        }) {
            return equal
        }
        return string.utf8.elementsEqual(raw)
    }

    /// ``nextKey()`` without building the key: nil at the closing `}`.
    public mutating func nextMemberKey() throws(JSONSyntaxError) -> MemberKey? {
        guard try stepToNext(closing: UInt8(ascii: "}"), "',' or '}'") else { return nil }
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        var key: MemberKey?
        if let base = bytes.baseAddress {
            var p = position
            while p < bytes.count {
                let b = base[p]
                if b == UInt8(ascii: "\"") {
                    key = MemberKey(raw: UnsafeBufferPointer(start: base + start, count: p - start), decoded: nil)
                    position = p + 1
                    break
                }
                if b == UInt8(ascii: "\\") || b < 0x20 { break }
                p += 1
            }
        }
        if key == nil {
            // Escapes (or an error): the general string reader, from the opening quote.
            position = start - 1
            let decoded = try string()
            key = MemberKey(raw: UnsafeBufferPointer(start: nil, count: 0), decoded: decoded)
        }
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    /// Expects a `[`; then ``nextItem()`` steps through the items.
    public mutating func beginArray() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["), "'['")
        first = true
    }

    /// Whether another item follows (positioned at it), false at the closing `]`.
    public mutating func nextItem() throws(JSONSyntaxError) -> Bool {
        try stepToNext(closing: UInt8(ascii: "]"), "',' or ']'")
    }

    /// Past the `,` before the next member or item (none before the first): true; past the
    /// container's `closing` bracket: false. The one step of ``nextKey()``,
    /// ``nextMemberKey()`` and ``nextItem()``.
    @inline(__always)
    private mutating func stepToNext(closing: UInt8, _ expected: String) throws(JSONSyntaxError) -> Bool {
        if try peek() == closing {
            position += 1
            first = false
            return false
        }
        if !first { try expect(UInt8(ascii: ","), expected) }
        first = false
        return true
    }

    /// Consumes `null` if it is next.
    public mutating func null() throws(JSONSyntaxError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    public mutating func optionalNumber() throws(JSONSyntaxError) -> Double? {
        try null() ? nil : try number()
    }

    public mutating func optionalString() throws(JSONSyntaxError) -> String? {
        try null() ? nil : try string()
    }

    /// An integer: a JSON number without fraction or exponent that fits an `Int`.
    public mutating func integer() throws(JSONSyntaxError) -> Int {
        skipWhitespace()
        let start = position
        var p = position
        var negative = false
        if p < bytes.count, bytes[p] == UInt8(ascii: "-") {
            negative = true
            p += 1
        }
        var value = 0
        let digits = p
        while p < bytes.count, isDigit(bytes[p]) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.subtractingReportingOverflow(Int(bytes[p] &- 0x30))  // negative: Int.min fits
            guard !o1 && !o2 else { position = start; throw error("integer out of range") }
            value = sum
            p += 1
        }
        guard p > digits else { position = start; throw error("expected an integer") }
        if p < bytes.count, bytes[p] == UInt8(ascii: ".") || bytes[p] | 0x20 == UInt8(ascii: "e") {
            position = start
            throw error("expected an integer")
        }
        if negative {
            position = p
            return value
        }
        guard value != Int.min else { position = start; throw error("integer out of range") }
        position = p
        return -value
    }

    /// A scalar as an event value (JSON integers become doubles); objects and arrays throw.
    public mutating func fieldValue() throws(JSONSyntaxError) -> FieldValue {
        switch try peek() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "{"), UInt8(ascii: "["): throw error("expected a scalar, not an object or array")
        default: return .number(try number())
        }
    }

    /// Skips any value and returns the byte range it took.
    @discardableResult
    public mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) -> Range<Int> {
        guard depth < 64 else { throw error("nesting too deep") }
        _ = try peek()
        let start = position
        switch bytes[start] {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            try beginArray()
            while try nextItem() { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
        return start..<position
    }

    /// Skips a string (validating its escapes) without building it.
    private mutating func skipString() throws(JSONSyntaxError) {
        if let base = bytes.baseAddress {
            var p = position + 1
            while p < bytes.count {
                let b = base[p]
                if b == UInt8(ascii: "\"") {
                    position = p + 1
                    return
                }
                if b == UInt8(ascii: "\\") || b < 0x20 { break }
                p += 1
            }
        }
        _ = try string()
    }

    /// A hash of `raw` for telling names apart: its length and its bytes, packed when it is
    /// shorter than 8 bytes, else its first and last 8 bytes mixed. Equal byte strings get
    /// equal keys (a load past `raw` is used only when `readable` bytes allow it, and gives
    /// the same packed value as the byte loop).
    @inline(__always)
    static func key(_ raw: UnsafeBufferPointer<UInt8>, readable: Int) -> UInt64 {
        let n = raw.count
        guard n > 0, let start = raw.baseAddress else { return 0 }
        if n < 8 {
            var packed: UInt64 = 0
            if readable >= 8 {
                packed = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self).littleEndian & ((1 << UInt64(n * 8)) &- 1)
            } else {
                for i in 0..<n { packed |= UInt64(start[i]) << UInt64(i * 8) }
            }
            return packed | UInt64(n) << 56
        }
        let head = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self).littleEndian
        let tail = UnsafeRawPointer(start + (n - 8)).loadUnaligned(as: UInt64.self).littleEndian
        return StableHash.fmix64(head ^ (tail &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: n) << 56)
    }

    /// The value of the 8 bytes at `at` when they are all digits (SWAR: one load and a few
    /// multiplications instead of 8 iterations; fraction digits are most of an event's bytes).
    @inline(__always)
    private static func eightDigits(_ at: UnsafePointer<UInt8>, available: Int) -> UInt64? {
        guard available >= 8 else { return nil }
        var v = UnsafeRawPointer(at).loadUnaligned(as: UInt64.self).littleEndian
        // Every byte 0x30...0x39: high nibble 3, and adding 6 does not leave it.
        guard v & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
            (v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
        else { return nil }
        v &-= 0x3030_3030_3030_3030
        return combineEightDigits(v)
    }

    /// Eight digit values 0...9, one per byte (first digit lowest), as one number.
    @inline(__always)
    static func combineEightDigits(_ digits: UInt64) -> UInt64 {
        // Byte i becomes 10·d_i + d_(i+1); the even bytes then hold the four 2-digit pairs.
        let v = digits &* 10 &+ (digits >> 8)
        let pairs02 = v & 0x0000_00FF_0000_00FF  // pairs 0 and 2
        let pairs13 = (v >> 16) & 0x0000_00FF_0000_00FF  // pairs 1 and 3
        return (pairs02 &* (100 &+ (1_000_000 << 32)) &+ pairs13 &* (1 &+ (10_000 << 32))) >> 32
    }

    /// How many of the 8 bytes of `word` (first byte lowest) are ASCII digits before the first
    /// other byte: a byte is a digit when its high nibble is 3 and its low nibble plus 6 stays
    /// below 16 (each test within its byte: no carries between bytes).
    @inline(__always)
    static func leadingDigitCount(_ word: UInt64) -> Int {
        let highNibbles = (word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let lowAbove9 = ((word & 0x0F0F_0F0F_0F0F_0F0F) &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        return (highNibbles | lowAbove9).trailingZeroBitCount >> 3
    }

    /// The value of the first `count` (1...7) bytes of `word`, all digits: they are moved to
    /// the top of the word behind zeros and read as eight digits.
    @inline(__always)
    static func leadingDigitsValue(_ word: UInt64, count: Int) -> UInt64 {
        let digits = (word & 0x0F0F_0F0F_0F0F_0F0F) << UInt64(8 * (8 - count))
        return combineEightDigits(digits)
    }

    /// 10^n for n in 1...7.
    @inline(__always)
    static func smallPowerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10000
        case 5: 100_000
        case 6: 1_000_000
        default: 10_000_000
        }
    }

    /// `strtod` on a NUL-terminated copy of a validated number (C-locale digits only).
    static func strtodCorrectlyRounded(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for k in 0..<text.count { buffer[k] = CChar(bitPattern: text[k]) }
            buffer[text.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
