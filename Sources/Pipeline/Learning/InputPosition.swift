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
}
