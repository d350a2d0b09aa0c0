/// How a feature field is read.
public enum FieldKind: String, Sendable, Hashable, Codable {
    /// A number (booleans read as 1.0 / 0.0): scaled, imputed, clipped.
    case numeric
    /// A string (numbers and booleans are accepted and written canonically): one-hot or hashed.
    case categorical
}
