/// One Kafka topic a topology reads or writes.
///
/// In a file either a bare name (`features: phishing.features`) or a mapping
/// (`events: {name: phishing.events, partitions: 4, config: {retention.ms: 86400000}}`).
public struct TopicSettings: Sendable, Equatable {
    /// The topic name.
    public var name: String
    /// Partitions to create the topic with; `nil` (the default) leaves it to the broker
    /// (the embedded broker auto-creates 4).
    public var partitions: Int?
    /// Topic-level configuration (`cleanup.policy`, `retention.ms`, …), in file order.
    /// Default: none.
    public var config: [KeyValueSetting]

    public init(name: String, partitions: Int? = nil, config: [KeyValueSetting] = []) {
        self.name = name
        self.partitions = partitions
        self.config = config
    }
}

/// A `key: value` pair passed through to Kafka as strings. Kept as an ordered list (file order)
/// so everything derived from it is deterministic.
public struct KeyValueSetting: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
