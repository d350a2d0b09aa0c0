import Kafka
import Pipeline
import Testing

/// `Topology.topicsToCreate`: the one list `driftline up`, the benchmarks and docker-compose's
/// topic service create.
@Suite struct TopicsToCreateTests {
    @Test func listsEveryTopicThenTheChangelog() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            topics:
              events: {name: t.events, partitions: 8}
              models: {name: t.models, config: {cleanup.policy: compact}}
            schema: {target: y}
            stages:
              transform: {}
              learn: {model: logistic_regression}
              detect:
                concept: {detector: adwin, input: error}
            """)
        let topics = topology.topicsToCreate
        #expect(topics.map(\.name) == [
            "t.events", "t.features", "t.predictions", "t.models", "t.drift-alerts", "t.dlq", "t.detect-changelog",
        ])
        #expect(topics.map(\.partitions) == [8, 4, 4, 4, 4, 4, 1])
        #expect(topics[3].configs == ["cleanup.policy": "compact", "max.message.bytes": "268435456"])
        #expect(topics[6].configs == ["cleanup.policy": "compact"])
        #expect(topics[0].configs.isEmpty)
    }

    /// A file's own record size for the models topic wins over the default; without a detect
    /// stage there is no changelog.
    @Test func fileSettingsWinAndNoDetectMeansNoChangelog() throws {
        let topology = try Topology.parse(yaml: """
            name: t
            topics:
              models: {name: t.models, config: {max.message.bytes: "1048576"}}
            schema: {target: y}
            stages:
              transform: {}
              learn: {model: logistic_regression}
            """)
        let topics = topology.topicsToCreate
        #expect(!topics.contains { $0.name.hasSuffix("changelog") })
        #expect(topics.first { $0.name == "t.models" }?.configs == ["max.message.bytes": "1048576"])
    }
}
