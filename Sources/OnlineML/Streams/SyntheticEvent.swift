/// One generated event: named fields in a fixed order (numeric fields, then categorical ones),
/// the 0/1 label of the hidden concept, and the event's 0-based index in its stream.
public struct SyntheticEvent: Codable, Sendable, Equatable {
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var value: SyntheticValue
    }

    public var index: Int
    public var fields: [Field]
    public var label: Int

    /// The event as one line of JSON (no trailing newline): the fields in order, then the label
    /// under `labelField` (omitted when `nil`, for an unlabeled stream). Numbers use Swift's
    /// shortest round-trip decimal form, so parsing the line gives back the same Doubles.
    public func jsonLine(labelField: String? = "y", idField: String? = nil) -> String {
        var parts: [String] = []
        parts.reserveCapacity(fields.count + 2)
        if let idField {
            parts.append("\(Self.quoted(idField)):\(index)")
        }
        for field in fields {
            switch field.value {
            case .number(let number):
                parts.append("\(Self.quoted(field.name)):\(number)")
            case .text(let text):
                parts.append("\(Self.quoted(field.name)):\(Self.quoted(text))")
            }
        }
        if let labelField {
            parts.append("\(Self.quoted(labelField)):\(label)")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// A JSON string literal; escapes quotes, backslashes and control characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
