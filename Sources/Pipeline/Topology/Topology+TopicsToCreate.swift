import Kafka

extension Topology {
    /// Partitions of a topic whose settings name none, wherever Driftline creates it.
    public static let defaultPartitions = 4

    /// The topics Driftline creates for this topology — `driftline up` on a cluster or on the
    /// embedded broker, the benchmarks, and (checked by a test) docker-compose's topic service:
    /// the six topics in file order with their partitions and configs, the models topic with
    /// room for large documents (``ModelRecordLimits/topicConfig`` unless the file sets it),
    /// then the detect stage's compacted changelog. One list, so they cannot drift apart.
    public var topicsToCreate: [KafkaNewTopic] {
        var result = topics.all.map { topic in
            var configs = Dictionary(topic.config.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            if topic.name == topics.models.name {
                configs.merge(ModelRecordLimits.topicConfig) { own, _ in own }
            }
            return KafkaNewTopic(
                name: topic.name, partitions: Int32(topic.partitions ?? Self.defaultPartitions), configs: configs)
        }
        if let changelog = DetectCheckpointRecord.newTopic(for: self) {
            result.append(changelog)
        }
        return result
    }
}

/// What ``KafkaAdmin/createMissingTopics(of:timeout:)`` found and did.
public struct TopologyTopicsSetUp: Sendable {
    /// The topics it created, in ``Topology/topicsToCreate`` order.
    public var created: [KafkaNewTopic] = []
    /// The topics that were there already, with the partition count each has.
    public var existing: [(name: String, partitions: Int)] = []
}

extension KafkaAdmin {
    /// Creates, in one request, the topics of ``Topology/topicsToCreate`` the cluster lacks
    /// (`driftline up` on a cluster, `driftline topics create --topology`), each with
    /// `replicationFactor` replicas (-1: the broker's default); leaves the others as they are.
    public func createMissingTopics(
        of topology: Topology, replicationFactor: Int16 = -1, timeout: Duration
    ) throws -> TopologyTopicsSetUp {
        let metadata = try metadata(timeout: timeout)
        var result = TopologyTopicsSetUp()
        for topic in topology.topicsToCreate {
            if let found = metadata.topic(topic.name), found.error == nil {
                result.existing.append((topic.name, found.partitions.count))
            } else {
                var topic = topic
                topic.replicationFactor = replicationFactor
                result.created.append(topic)
            }
        }
        if !result.created.isEmpty {
            try createTopics(result.created, ifNotExists: true, timeout: timeout)
        }
        return result
    }
}
