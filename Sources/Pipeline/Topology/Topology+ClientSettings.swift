import Kafka

extension KafkaConsumerConfiguration {
    /// Properties a reader of a topology's topics that is not a stage (`models`, `replay`,
    /// `export`, `up`'s watcher) decides itself: its group, which records it sees, where it
    /// starts, and that it never commits. A topology's `kafka:` value for one of these is meant
    /// for its stages.
    public static let readerOwnedProperties: Set<String> = [
        "group.id", "isolation.level", "auto.offset.reset", "enable.auto.commit",
        "enable.auto.offset.store", "enable.partition.eof",
    ]

    /// A reader of `topology`'s topics that is not one of its stages, under its own group and
    /// client id, with the topology's settings (``addReaderSettings(of:)``). Every such reader
    /// starts here, so none connects without them.
    public init(readerOf topology: Topology, bootstrapServers: String, groupID: String, clientID: String) {
        self.init(bootstrapServers: bootstrapServers, groupID: groupID)
        self.clientID = clientID
        addReaderSettings(of: topology)
    }

    /// Adds `topology`'s `kafka:` settings a consumer takes (TLS, SASL, timeouts, …), so a tool
    /// reading the topology's topics reaches the cluster its stages reach; the
    /// ``readerOwnedProperties`` stay as this configuration has them.
    public mutating func addReaderSettings(of topology: Topology) {
        let settings = KafkaPropertyScope.consumerSettings(topology.kafkaProperties)
            .filter { !Self.readerOwnedProperties.contains($0.key) }
        properties.merge(settings) { _, new in new }
    }
}

extension KafkaAdmin {
    /// An admin client of `topology`'s cluster (topic creation by `up` and the detect stage),
    /// with the topology's `kafka:` settings a producer takes — librdkafka's admin client is
    /// one — so it reaches a TLS or SASL cluster as the stages do.
    public convenience init(topology: Topology, bootstrapServers: String) throws {
        try self.init(
            bootstrapServers: bootstrapServers, properties: KafkaPropertyScope.producerSettings(topology.kafkaProperties))
    }
}
