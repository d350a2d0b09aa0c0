/// Strict JSON (RFC 8259) over raw UTF-8 bytes, without building a document: validation with a
/// reason a person can act on, top-level member lookup, compacting and re-indenting. Records
/// are forwarded byte for byte, so numbers keep their exact text and fields keep their order.
enum JSONText {
    /// The type of a JSON value, named as a user would.
    enum Kind: String, Sendable {
        case object, array, string, number, boolean, null
    }

    /// Why some bytes are not JSON; `column` is 1-based.
    struct SyntaxError: Error, Sendable, CustomStringConvertible {
        var column: Int
        var reason: String
        var description: String { "\(reason) at column \(column)" }
    }

    /// Validates `bytes` as one JSON value with optional surrounding whitespace.
    ///
    /// - Parameter member: a top-level member name whose raw value to return when the value is
    ///   an object (names are compared as written, without unescaping).
    /// - Returns: the kind of the value and the byte range of `member`'s value, if found.
    static func validate(
        _ bytes: UnsafeRawBufferPointer, findingMember member: [UInt8]? = nil
    ) throws(SyntaxError) -> (kind: Kind, member: Range<Int>?) {
        var parser = Parser(bytes: bytes, member: member)
        parser.skipWhitespace()
        let kind = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw SyntaxError(column: parser.index + 1, reason: "unexpected characters after the JSON value")
        }
        return (kind, parser.found)
    }

    /// Whether `bytes` are one JSON value.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        (try? validate(bytes)) != nil
    }

    /// `bytes` (valid JSON) without whitespace outside strings: one line, same text otherwise.
    static func compact(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                output.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == quote { inString = false }
            } else if !isWhitespace(byte) {
                output.append(byte)
                if byte == quote { inString = true }
            }
        }
    }

    /// `bytes` (valid JSON) indented by two spaces per level, as in most pretty printers.
    static func indent(_ bytes: [UInt8], level startLevel: Int = 0) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var level = startLevel
        var inString = false
        var escaped = false
        var index = 0
        func newline() {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                output.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == quote { inString = false }
                continue
            }
            switch byte {
            case quote:
                inString = true
                output.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var next = index
                while next < bytes.count && isWhitespace(bytes[next]) { next += 1 }
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                output.append(byte)
                if next < bytes.count && bytes[next] == close {
                    output.append(close)
                    index = next + 1
                } else {
                    level += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                level -= 1
                newline()
                output.append(byte)
            case UInt8(ascii: ","):
                output.append(byte)
                newline()
            case UInt8(ascii: ":"):
                output.append(contentsOf: [byte, UInt8(ascii: " ")])
            default:
                if !isWhitespace(byte) { output.append(byte) }
            }
        }
        return output
    }

    /// Appends `text` as a JSON string literal (quoted and escaped).
    static func appendString(_ text: some StringProtocol, to output: inout [UInt8]) {
        output.append(quote)
        for byte in text.utf8 {
            switch byte {
            case quote: output.append(contentsOf: [UInt8(ascii: "\\"), quote])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(quote)
    }

    /// The text of a JSON string literal (with its quotes, already validated), unescaped.
    static func unescape(_ literal: UnsafeRawBufferPointer) -> String {
        let inner = UnsafeRawBufferPointer(rebasing: literal[1..<(literal.count - 1)])
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        var index = 0
        func flushBytes() {
            scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes.removeAll()
        }
        func hex4(_ at: Int) -> UInt32 { UInt32(String(decoding: inner[at..<(at + 4)], as: UTF8.self), radix: 16) ?? 0xFFFD }
        while index < inner.count {
            let byte = inner[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            let escape = inner[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): bytes.append(8)
            case UInt8(ascii: "f"): bytes.append(12)
            case UInt8(ascii: "n"): bytes.append(10)
            case UInt8(ascii: "r"): bytes.append(13)
            case UInt8(ascii: "t"): bytes.append(9)
            case UInt8(ascii: "u"):
                flushBytes()
                var code = hex4(index)
                index += 4
                if (0xD800..<0xDC00).contains(code), index + 6 <= inner.count, inner[index] == UInt8(ascii: "\\"),
                    inner[index + 1] == UInt8(ascii: "u")
                {
                    let low = hex4(index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: bytes.append(escape)
            }
        }
        flushBytes()
        return String(scalars)
    }

    fileprivate static let quote = UInt8(ascii: "\"")

    fileprivate static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}

/// A recursive-descent validator. Depth is bounded so hostile input cannot overflow the stack.
private struct Parser {
    let bytes: UnsafeRawBufferPointer
    let member: [UInt8]?
    var index = 0
    var found: Range<Int>?

    init(bytes: UnsafeRawBufferPointer, member: [UInt8]?) {
        self.bytes = bytes
        self.member = member
    }

    mutating func skipWhitespace() {
        while index < bytes.count && JSONText.isWhitespace(bytes[index]) { index += 1 }
    }

    func fail(_ reason: String) -> JSONText.SyntaxError {
        JSONText.SyntaxError(column: index + 1, reason: reason)
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of line" }
        let byte = bytes[index]
        return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func value(depth: Int) throws(JSONText.SyntaxError) -> JSONText.Kind {
        guard depth < 256 else { throw fail("nesting deeper than 256 levels") }
        guard index < bytes.count else { throw fail("unexpected end of line, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try object(depth: depth)
            return .object
        case UInt8(ascii: "["):
            try array(depth: depth)
            return .array
        case UInt8(ascii: "\""):
            try string()
            return .string
        case UInt8(ascii: "t"):
            try literal("true")
            return .boolean
        case UInt8(ascii: "f"):
            try literal("false")
            return .boolean
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
            return .number
        default:
            throw fail("unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func object(depth: Int) throws(JSONText.SyntaxError) {
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(describeCurrent()), expected a member name in double quotes")
            }
            let nameStart = index + 1
            try string()
            let nameEnd = index - 1
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw fail("unexpected \(describeCurrent()), expected ':' after a member name")
            }
            index += 1
            skipWhitespace()
            let valueStart = index
            _ = try value(depth: depth + 1)
            if depth == 0, found == nil, let member, nameEnd - nameStart == member.count,
                member.elementsEqual(bytes[nameStart..<nameEnd])
            {
                found = valueStart..<index
            }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of line, expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            } else {
                throw fail("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONText.SyntaxError) {
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            _ = try value(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of line, expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw fail("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }
    }

    mutating func string() throws(JSONText.SyntaxError) {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { break }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count, bytes[(index + 2)..<(index + 6)].allSatisfy(isHexDigit) else {
                        index += 1
                        throw fail("invalid \\u escape in a string")
                    }
                    index += 6
                default:
                    index += 1
                    throw fail("invalid escape \\\(describeCurrent()) in a string")
                }
            case 0..<0x20:
                throw fail("unescaped control character in a string")
            case 0x80...:
                try utf8Sequence()
            default:
                index += 1
            }
        }
        index = start
        throw fail("unterminated string")
    }

    /// One multi-byte UTF-8 sequence starting at `index`.
    mutating func utf8Sequence() throws(JSONText.SyntaxError) {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: throw fail("invalid UTF-8")
        }
        guard index + length <= bytes.count,
            bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
        else { throw fail("invalid UTF-8") }
        index += length
    }

    mutating func literal(_ word: StaticString) throws(JSONText.SyntaxError) {
        let count = word.utf8CodeUnitCount
        let matches =
            index + count <= bytes.count
            && (0..<count).allSatisfy { bytes[index + $0] == word.utf8Start[$0] }
        guard matches else { throw fail("unexpected \(describeCurrent()), expected a value") }
        index += count
    }

    mutating func number() throws(JSONText.SyntaxError) {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func digits() -> Int {
            let start = index
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number: expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) { throw fail("invalid number: leading zero") }
        } else {
            _ = digits()
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("invalid number: expected a digit after '.'") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard digits() > 0 else { throw fail("invalid number: expected a digit in the exponent") }
        }
    }
}

private func isHexDigit(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
        UInt8(ascii: "A")...UInt8(ascii: "F"):
        return true
    default:
        return false
    }
}
