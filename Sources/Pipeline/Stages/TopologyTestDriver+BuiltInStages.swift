extension TopologyTestDriver {
    /// A driver running a topology's built-in stages (transform, learn, detect — those it
    /// has), with every topic created with its declared partition count (1 when undeclared).
    public convenience init(topology: Topology, wallClockMilliseconds: Int64 = 0) throws {
        self.init(topics: StageTopics(topology.topics), wallClockMilliseconds: wallClockMilliseconds)
        for topic in topology.topics.all {
            createTopic(topic.name, partitions: topic.partitions ?? 1)
        }
        for stage in BuiltInStage.allCases {
            guard topology.stages.names.contains(stage.rawValue) else { continue }
            addStage(
                stage.rawValue, inputs: BuiltInStages.inputTopics(for: stage, topology: topology),
                factory: try BuiltInStages.factory(for: stage, topology: topology))
        }
    }
}
