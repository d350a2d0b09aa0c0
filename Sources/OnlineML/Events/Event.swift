/// One named field of an ``Event``.
public struct EventField: Sendable, Hashable {
    public var name: String
    public var value: FieldValue

    public init(_ name: String, _ value: FieldValue) {
        self.name = name
        self.value = value
    }
}

/// A flat input event: named scalar fields in insertion order.
///
/// The order is kept (an array, never a dictionary) because everything downstream must be
/// deterministic; the math itself does not depend on the order (features are summed by id).
public struct Event: Sendable, Hashable {
    public var fields: [EventField]

    public init(fields: [EventField] = []) {
        self.fields = fields
    }

    /// Builds an event from literal pairs, in the order written.
    public init(_ pairs: KeyValuePairs<String, FieldValue>) {
        self.fields = pairs.map { EventField($0.key, $0.value) }
    }

    /// The value of the first field with this name, or `nil` when absent.
    public subscript(name: String) -> FieldValue? {
        for field in fields where field.name == name { return field.value }
        return nil
    }

    public mutating func append(_ name: String, _ value: FieldValue) {
        fields.append(EventField(name, value))
    }
}
