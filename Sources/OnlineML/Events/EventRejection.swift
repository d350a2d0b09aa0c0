/// Why an event cannot be used. A rejection is data, not a crash: the engine routes the event
/// to the dead-letter topic with ``description`` as the reason, and the model state is unchanged.
public enum EventRejection: Error, Sendable, Hashable {
    /// The line is not valid JSON (byte offset of the problem, and what was expected).
    case malformedJSON(offset: Int, detail: String)
    /// Valid JSON, but not a flat object of scalars.
    case notFlatObject(detail: String)
    /// The same field name appears twice in one event.
    case duplicateField(String)
    /// NaN or ±infinity in a numeric field.
    case nonFiniteValue(field: String)
    /// A finite number so large that squares or gradients would overflow (see ``ValueLimits``).
    case valueOutOfRange(field: String, value: Double)
    /// The field's kind is locked (declared, or inferred from its first value) and this value has
    /// another type.
    case typeMismatch(field: String, expected: FieldKind, found: String)
    /// Learning needs a target and the event has none (absent or null).
    case missingTarget(field: String)
    /// The target exists but cannot be used (e.g. a string for regression, 0.7 for a binary label).
    case invalidTarget(field: String, detail: String)
    /// The update would have produced a non-finite weight; the event was not applied.
    case nonFiniteUpdate(detail: String)
}

extension EventRejection: CustomStringConvertible {
    public var description: String {
        switch self {
        case .malformedJSON(let offset, let detail):
            "malformed JSON at byte \(offset): \(detail)"
        case .notFlatObject(let detail):
            "not a flat JSON object: \(detail)"
        case .duplicateField(let name):
            "field '\(name)' appears more than once"
        case .nonFiniteValue(let field):
            "field '\(field)' is NaN or infinite"
        case .valueOutOfRange(let field, let value):
            "field '\(field)' = \(value) exceeds the magnitude limit \(ValueLimits.maxMagnitude)"
        case .typeMismatch(let field, let expected, let found):
            "field '\(field)' is \(expected.rawValue) but this event has a \(found)"
        case .missingTarget(let field):
            "target field '\(field)' is missing or null"
        case .invalidTarget(let field, let detail):
            "target field '\(field)' is invalid: \(detail)"
        case .nonFiniteUpdate(let detail):
            "the update would make the model non-finite: \(detail)"
        }
    }
}

/// Magnitude limits that keep every intermediate value finite.
///
/// With |x| ≤ 1e100, squares (Welford, AdaGrad, Adam) stay below 1e200 and gradients (loss
/// gradient clipped to 1e12 times x) below 1e112, so no sum of them overflows. Larger finite
/// values (1e308) are rejected rather than silently clipped, unless the transformer is
/// configured to clip inputs.
public enum ValueLimits {
    public static let maxMagnitude: Double = 1e100
}
