/// A topic to create through `KafkaAdmin.createTopics`.
public struct KafkaNewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    /// -1 lets the broker use its default.
    public var replicationFactor: Int16
    /// Topic configs, e.g. `["cleanup.policy": "compact"]`. Sent in sorted key order.
    public var configs: [String: String]

    public init(name: String, partitions: Int32 = 1, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
