/// Which fields of an event mean what.
///
/// In a file: `schema: {target: y, key: id, time: ts, numeric: auto, categorical: [country]}`.
public struct EventSchema: Sendable, Equatable {
    /// The label field. Events without it are predicted but not learned from. Required by a
    /// learn stage; `nil` (the default) otherwise.
    public var target: String?
    /// The entity/key field, used as the Kafka key. Default: none.
    public var key: String?
    /// The event-time field (a number of seconds or an ISO-8601 string). Default: none.
    public var time: String?
    /// Which fields are numeric features. Default `.auto`.
    public var numeric: NumericFields
    /// Fields encoded as categories (one-hot or hashed). Default: none.
    public var categorical: [String]

    public init(
        target: String? = nil,
        key: String? = nil,
        time: String? = nil,
        numeric: NumericFields = .auto,
        categorical: [String] = []
    ) {
        self.target = target
        self.key = key
        self.time = time
        self.numeric = numeric
        self.categorical = categorical
    }

    /// Fields that are never features: target, key and time, in that order.
    public var reservedFields: [String] {
        [target, key, time].compactMap { $0 }
    }

    /// How numeric features are chosen.
    public enum NumericFields: Sendable, Equatable {
        /// Every field holding a number (or boolean) that is not the target, key, time or a
        /// categorical field.
        case auto
        /// Exactly these fields, in this order; others are ignored.
        case fields([String])
    }
}
