import Kafka

extension StageRunnerConfiguration {
    /// A runner for one stage of `topology`: its topics, its `kafka:` properties on both
    /// clients (in file order, later keys win), group `NAME.STAGE`.
    ///
    /// - Parameters:
    ///   - bootstrapServers: where the cluster is (the embedded broker's address when the
    ///     topology says `brokers: embedded`).
    ///   - inputTopics: default: the topology's `events` topic.
    public init(
        topology: Topology, stage: String, bootstrapServers: String, inputTopics: [String]? = nil,
        groupID: String? = nil
    ) {
        self.init(
            stage: stage, inputTopics: inputTopics ?? [topology.topics.events.name],
            topics: StageTopics(topology.topics), bootstrapServers: bootstrapServers,
            groupID: groupID ?? "\(topology.name).\(stage)")
        for setting in topology.kafka {
            consumer.properties[setting.key] = setting.value
            producer.properties[setting.key] = setting.value
        }
        // `guarantee:` (docs/guarantees.md): transactional ids TOPOLOGY-STAGE-TOPIC-PARTITION,
        // and a short commit interval — read_committed readers downstream wait for it.
        guarantee = topology.guarantee
        transactionalIDPrefix = "\(topology.name)-\(stage)"
        if guarantee == .exactlyOnce { commitInterval = .milliseconds(100) }
    }
}
