/// JSON Lines: each non-blank line is one JSON object, sent unchanged (same bytes, same field
/// order, same number text).
struct JSONLinesDecoder: EventLineDecoder {
    private(set) var value: [UInt8] = []
    private(set) var key: [UInt8]?
    private let keyField: String?
    private let keyFieldBytes: [UInt8]?

    init(keyField: String?) {
        self.keyField = keyField
        keyFieldBytes = keyField.map { Array($0.utf8) }
        key = keyField == nil ? nil : []
    }

    mutating func decode(_ line: UnsafeRawBufferPointer) throws(BadLine) -> Bool {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return false }
        let result: (kind: JSONText.Kind, member: Range<Int>?)
        do {
            result = try JSONText.validate(line, findingMember: keyFieldBytes)
        } catch {
            throw BadLine(reason: "invalid JSON: \(error)")
        }
        guard result.kind == .object else {
            throw BadLine(reason: "expected a JSON object, found \(article(result.kind))")
        }
        if let keyField {
            guard let range = result.member else { throw BadLine(reason: "key field '\(keyField)' is missing") }
            var bytes = key ?? []
            try Self.keyBytes(field: keyField, rawValue: UnsafeRawBufferPointer(rebasing: line[range]), into: &bytes)
            key = bytes
        }
        value.removeAll(keepingCapacity: true)
        value.append(contentsOf: line)
        return true
    }

    private func article(_ kind: JSONText.Kind) -> String {
        switch kind {
        case .array, .object: return "an \(kind.rawValue)"
        case .null: return "null"
        default: return "a \(kind.rawValue)"
        }
    }
}
