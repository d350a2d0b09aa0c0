/// Brokers and topics as a broker's Metadata response describes them, sorted by id and name.
public struct KafkaClusterMetadata: Sendable, Hashable {
    public var brokers: [KafkaBrokerMetadata]
    public var topics: [KafkaTopicMetadata]

    /// The topic called `name`, if the cluster knows it.
    public func topic(_ name: String) -> KafkaTopicMetadata? { topics.first { $0.name == name } }
}

/// One broker of a cluster.
public struct KafkaBrokerMetadata: Sendable, Hashable {
    public var id: Int32
    public var host: String
    public var port: Int
}

/// One topic: its partitions, or the error the broker reported for it.
public struct KafkaTopicMetadata: Sendable, Hashable {
    public var name: String
    public var partitions: [KafkaPartitionMetadata]
    public var error: KafkaError?
}

/// One partition: its leader and replicas (broker ids).
public struct KafkaPartitionMetadata: Sendable, Hashable {
    public var id: Int32
    public var leader: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]
}
