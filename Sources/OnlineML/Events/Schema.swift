/// Which event fields mean what: the target, the key and the time, and how feature fields are
/// read (numeric or categorical).
///
/// With `numeric: .auto`, each field's kind is inferred from its first non-null value while
/// learning (numbers and booleans → numeric, strings → categorical) and then locked: a later
/// value of another type is a ``EventRejection/typeMismatch(field:expected:found:)``. Fields may
/// appear later or disappear; a new field is inferred when it first appears.
/// With `numeric: .fields([...])`, only the listed fields are numeric, the `categorical` ones
/// categorical, and every other field is ignored.
public struct Schema: Sendable, Hashable {
    public enum NumericFields: Sendable, Hashable {
        case auto
        case fields([String])
    }

    public var target: String?
    public var key: String?
    public var time: String?
    public var numeric: NumericFields
    public var categorical: [String]
    /// Fields never used as features (besides target, key and time).
    public var ignored: [String]

    public init(
        target: String? = nil, key: String? = nil, time: String? = nil,
        numeric: NumericFields = .auto, categorical: [String] = [], ignored: [String] = []
    ) {
        self.target = target
        self.key = key
        self.time = time
        self.numeric = numeric
        self.categorical = categorical
        self.ignored = ignored
    }

    /// The role a field name has under this schema, before looking at any value.
    public func role(of name: String) -> FieldRole {
        if name == target { return .target }
        if name == key { return .key }
        if name == time { return .time }
        if ignored.contains(name) { return .ignored }
        if categorical.contains(name) { return .feature(.categorical) }
        switch numeric {
        case .auto: return .undecided
        case .fields(let names): return names.contains(name) ? .feature(.numeric) : .ignored
        }
    }
}

/// What a field is used for.
public enum FieldRole: Sendable, Hashable {
    case target, key, time, ignored
    case feature(FieldKind)
    /// `numeric: .auto` and no non-null value learned yet.
    case undecided
}
