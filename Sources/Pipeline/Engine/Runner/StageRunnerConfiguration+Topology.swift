import Kafka

extension StageRunnerConfiguration {
    /// A runner for one stage of `topology`: its topics, group `NAME.STAGE`, its guarantee,
    /// and its `kafka:` properties (in file order, later keys win), each on the clients it is
    /// for (``KafkaPropertyScope``: librdkafka warns about the others).
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
        // `guarantee:` (docs/guarantees.md): transactional ids TOPOLOGY-STAGE-TOPIC-PARTITION.
        guarantee = topology.guarantee
        transactionalIDPrefix = "\(topology.name)-\(stage)"
        if guarantee == .exactlyOnce {
            // Downstream read_committed readers see a stage's outputs only when it commits: the
            // interval is the chain's added latency (bench eos: 1 s gave 0.62× at-least-once's
            // chain rate, 100 ms 0.88×).
            commitInterval = .milliseconds(100)
            // librdkafka >= 2.10 "re-bootstraps" when every known broker is down (a one-broker
            // cluster restarting) and decommissions the old broker handles; a transactional
            // producer whose cached group coordinator was decommissioned then hangs in
            // send_offsets_to_transaction (confluentinc/librdkafka#5511), and the stage with
            // it. Reconnecting to the known brokers instead recovers (docs/guarantees.md).
            if Librdkafka.isAtLeast(major: 2, minor: 10) {
                producer.properties["metadata.recovery.strategy"] = "none"
            }
        }
        let kafka = topology.kafkaProperties
        consumer.properties.merge(KafkaPropertyScope.consumerSettings(kafka)) { _, new in new }
        producer.properties.merge(KafkaPropertyScope.producerSettings(kafka)) { _, new in new }
    }
}
