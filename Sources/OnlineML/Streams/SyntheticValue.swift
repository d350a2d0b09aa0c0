/// One field value of a synthetic event: a number or a category name. The engine's own event
/// type adapts from this; the generator needs nothing more.
public enum SyntheticValue: Codable, Sendable, Equatable {
    case number(Double)
    case text(String)
}
