import OnlineML

/// Where an event came from, as far as model lineage is concerned: its topic, partition and
/// offset on the events topic (for `driftline evaluate`: the events topic name, partition 0
/// and the record's index in the file).
public struct InputPosition: Sendable, Hashable {
    public var topic: String
    public var partition: Int
    public var offset: Int

    public init(topic: String, partition: Int, offset: Int) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// `{"topic":…,"partition":…,"offset":…}`, as model lineages record positions (an
    /// action's `applied_at`, the `alert_position` of its cause).
    public var json: JSONValue {
        .object(["topic": .string(topic), "partition": .integer(partition), "offset": .integer(offset)])
    }

    public init?(json: JSONValue) {
        guard let topic = json["topic"]?.stringValue, let partition = json["partition"]?.intValue,
              let offset = json["offset"]?.intValue
        else { return nil }
        self.init(topic: topic, partition: partition, offset: offset)
    }
}
