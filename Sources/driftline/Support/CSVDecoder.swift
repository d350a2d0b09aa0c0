/// CSV with a header row: each row becomes a JSON object with the header's names, in column
/// order. A field that is a JSON number (`-12`, `3.5`, `1e-3`) is sent as a number, an empty
/// field as null, anything else as a string. Fields may be quoted (`"a, b"`, `""` for a
/// quote) but may not span lines; spaces around unquoted fields are dropped.
struct CSVDecoder: EventLineDecoder {
    private(set) var value: [UInt8] = []
    private(set) var key: [UInt8]?
    private let keyField: String?
    private var header: [String]?
    /// Each column's name as a JSON string literal followed by ':'.
    private var encodedNames: [[UInt8]] = []
    private var keyColumn: Int?
    private var fields: [Field] = []
    private var unquoted: [UInt8] = []

    init(keyField: String?) {
        self.keyField = keyField
        key = keyField == nil ? nil : []
    }

    /// One field of a row: a range of the line, or (when quoted with `""` inside) text in
    /// `unquoted`.
    private struct Field {
        var range: Range<Int>
        var quoted: Bool
        var unquotedRange: Range<Int>?
    }

    mutating func decode(_ line: UnsafeRawBufferPointer) throws(BadLine) -> Bool {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return false }
        try split(line)
        guard let header else {
            try readHeader(line)
            return false
        }
        guard fields.count == header.count else {
            throw BadLine(reason: "expected \(header.count) fields as in the header, found \(fields.count)")
        }
        value.removeAll(keepingCapacity: true)
        value.append(UInt8(ascii: "{"))
        for (index, field) in fields.enumerated() {
            if index > 0 { value.append(UInt8(ascii: ",")) }
            value.append(contentsOf: encodedNames[index])
            let text = bytes(of: field, in: line)
            if text.isEmpty && !field.quoted {
                value.append(contentsOf: "null".utf8)
            } else if !field.quoted, isJSONNumber(text) {
                value.append(contentsOf: text)
            } else {
                JSONText.appendString(String(decoding: text, as: UTF8.self), to: &value)
            }
        }
        value.append(UInt8(ascii: "}"))
        if let keyColumn, let keyField {
            let text = bytes(of: fields[keyColumn], in: line)
            guard !text.isEmpty else { throw BadLine(reason: "key field '\(keyField)' is empty") }
            key = Array(text)
        }
        return true
    }

    private mutating func readHeader(_ line: UnsafeRawBufferPointer) throws(BadLine) {
        var names: [String] = []
        for field in fields {
            var name = String(decoding: bytes(of: field, in: line), as: UTF8.self)
            if names.isEmpty && name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            guard !name.isEmpty else { throw BadLine(reason: "header has an empty column name") }
            guard !names.contains(name) else { throw BadLine(reason: "header names column '\(name)' twice") }
            names.append(name)
        }
        if let keyField {
            guard let column = names.firstIndex(of: keyField) else {
                throw BadLine(reason: "header has no column '\(keyField)' for --key-field")
            }
            keyColumn = column
        }
        encodedNames = names.map { name in
            var encoded: [UInt8] = []
            JSONText.appendString(name, to: &encoded)
            encoded.append(UInt8(ascii: ":"))
            return encoded
        }
        header = names
    }

    private func bytes(of field: Field, in line: UnsafeRawBufferPointer) -> ArraySlice<UInt8> {
        if let range = field.unquotedRange { return unquoted[range] }
        return ArraySlice(line[field.range])
    }

    private mutating func split(_ line: UnsafeRawBufferPointer) throws(BadLine) {
        fields.removeAll(keepingCapacity: true)
        unquoted.removeAll(keepingCapacity: true)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var index = 0
        while true {
            while index < line.count && isSpace(line[index]) { index += 1 }
            if index < line.count && line[index] == quote {
                // Quoted: up to the closing quote, "" standing for one quote.
                let start = index + 1
                var cursor = start
                var doubled = false
                var closed = false
                while cursor < line.count {
                    if line[cursor] == quote {
                        if cursor + 1 < line.count && line[cursor + 1] == quote {
                            doubled = true
                            cursor += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    cursor += 1
                }
                guard closed else {
                    throw BadLine(reason: "unterminated quoted field at column \(index + 1) (fields cannot span lines)")
                }
                var field = Field(range: start..<cursor, quoted: true)
                if doubled {
                    let begin = unquoted.count
                    var position = start
                    while position < cursor {
                        unquoted.append(line[position])
                        position += line[position] == quote ? 2 : 1
                    }
                    field.unquotedRange = begin..<unquoted.count
                }
                fields.append(field)
                index = cursor + 1
                while index < line.count && isSpace(line[index]) { index += 1 }
                if index < line.count && line[index] != comma {
                    throw BadLine(reason: "unexpected text after a quoted field at column \(index + 1)")
                }
            } else {
                let start = index
                while index < line.count && line[index] != comma {
                    if line[index] == quote {
                        throw BadLine(reason: "quote inside an unquoted field at column \(index + 1)")
                    }
                    index += 1
                }
                var end = index
                while end > start && isSpace(line[end - 1]) { end -= 1 }
                fields.append(Field(range: start..<end, quoted: false))
            }
            if index >= line.count { return }
            index += 1  // the comma
        }
    }

    private func isJSONNumber(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else {
            return false
        }
        return text.withUnsafeBytes { bytes in
            (try? JSONText.validate(bytes))?.kind == .number
        }
    }
}
