/// One value of a flat event field: what a JSON scalar can be.
///
/// Booleans stay booleans (not numbers) so the schema can tell `true` from `1`; numeric features
/// read them as 1.0 / 0.0.
public enum FieldValue: Sendable, Hashable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case null

    /// A short name of the JSON type, for rejection messages.
    public var typeName: String {
        switch self {
        case .number: "number"
        case .string: "string"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}

extension FieldValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let x): "\(x)"
        case .string(let s): "\"\(s)\""
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }
}
