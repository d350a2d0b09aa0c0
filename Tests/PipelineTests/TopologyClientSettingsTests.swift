import Kafka
import Pipeline
import Testing

/// Tools that read a topology's topics (`models`, `replay`, `export`, `up`'s watcher) take its
/// `kafka:` settings as the stages do, so a secured cluster the stages reach is reachable by
/// them too; what the reader decides itself stays its own.
@Suite struct TopologyClientSettingsTests {
    @Test func aReaderTakesTheTopologysConsumerSettingsButKeepsItsOwn() throws {
        let topology = try Topology.parse(yaml: """
            name: secured
            brokers: "kafka-1:9093"
            kafka:
              security.protocol: SASL_SSL
              sasl.mechanism: PLAIN
              fetch.wait.max.ms: 50
              linger.ms: 5
              isolation.level: read_uncommitted
              auto.offset.reset: latest
              enable.partition.eof: true
            schema: {target: y}
            stages:
              learn: {model: logistic_regression}
            """)
        var reader = KafkaConsumerConfiguration(bootstrapServers: "kafka-1:9093", groupID: "driftline-models")
        reader.autoOffsetReset = .error
        reader.addReaderSettings(of: topology)
        let properties = reader.librdkafkaProperties
        #expect(properties["security.protocol"] == "SASL_SSL")
        #expect(properties["sasl.mechanism"] == "PLAIN")
        #expect(properties["fetch.wait.max.ms"] == "50")
        // A producer's setting stays out of a consumer (librdkafka would warn).
        #expect(properties["linger.ms"] == nil)
        // What the reader sees and where it starts are its own.
        #expect(properties["isolation.level"] == "read_committed")
        #expect(properties["auto.offset.reset"] == "error")
        #expect(properties["enable.partition.eof"] == "false")
        #expect(properties["group.id"] == "driftline-models")
    }

    /// `up`'s watcher: the topology's fetch wait applies when shorter than its own 100 ms.
    @Test func theFetchWaitIsLimitedNotRaised() {
        var unset = KafkaConsumerConfiguration(bootstrapServers: "b:1", groupID: "g")
        unset.limitFetchWait(toMilliseconds: 100)
        #expect(unset.librdkafkaProperties["fetch.wait.max.ms"] == "100")
        var long = unset
        long.properties["fetch.wait.max.ms"] = "500"
        long.limitFetchWait(toMilliseconds: 100)
        #expect(long.librdkafkaProperties["fetch.wait.max.ms"] == "100")
        var short = unset
        short.properties["fetch.wait.max.ms"] = "2"
        short.limitFetchWait(toMilliseconds: 100)
        #expect(short.librdkafkaProperties["fetch.wait.max.ms"] == "2")
    }
}
