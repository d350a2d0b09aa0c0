/// A contiguous range of input offsets a model version was trained on (inclusive), filled in
/// by the engine: it is the lineage of a model version.
public struct TrainingOffsetRange: Sendable, Hashable {
    public var topic: String
    public var partition: Int
    public var first: Int
    public var last: Int

    public init(topic: String, partition: Int, first: Int, last: Int) {
        self.topic = topic
        self.partition = partition
        self.first = first
        self.last = last
    }

    public var json: JSONValue {
        .object(["topic": .string(topic), "partition": .integer(partition), "first": .integer(first), "last": .integer(last)])
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        self.init(
            topic: try json.requireString("topic"), partition: try json.requireInt("partition"),
            first: try json.requireInt("first"), last: try json.requireInt("last"))
    }
}
