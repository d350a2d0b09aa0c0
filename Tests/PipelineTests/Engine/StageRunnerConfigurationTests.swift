import Kafka
import Pipeline
import Testing

/// A topology file configures a runner: its topics, its `kafka:` properties, its group.
@Suite struct StageRunnerConfigurationTests {
    @Test func topologyGivesTopicsPropertiesAndGroup() throws {
        let topology = try Topology.parse(yaml: """
            name: demo
            kafka: {linger.ms: 7, compression.codec: lz4}
            topics:
              events: {name: demo.in, partitions: 2}
              dead_letters: demo.bad
            schema: {target: y}
            stages:
              learn:
                model: logistic_regression
            """)
        let configuration = StageRunnerConfiguration(
            topology: topology, stage: "learn", bootstrapServers: "127.0.0.1:9092")
        #expect(configuration.inputTopics == ["demo.in"])
        #expect(configuration.topics.deadLetters == "demo.bad")
        #expect(configuration.topics.name(for: .predictions) == "demo.predictions")
        #expect(configuration.topics.name(for: .topic("x")) == "x")
        #expect(configuration.consumer.groupID == "demo.learn")
        #expect(configuration.consumer.librdkafkaProperties["bootstrap.servers"] == "127.0.0.1:9092")
        #expect(configuration.producer.librdkafkaProperties["linger.ms"] == "7")
        #expect(configuration.producer.librdkafkaProperties["compression.codec"] == "lz4")
        #expect(configuration.consumer.librdkafkaProperties["enable.auto.commit"] == "false")
    }

    /// A runner's clients get bounded prefetch and output buffers (RSS) under the configured
    /// properties: a topology's `kafka:` section overrides any of them.
    @Test func runnerClientDefaultsBoundMemoryAndTopologyOverridesThem() throws {
        let plain = StageRunnerConfiguration(
            stage: "s", inputTopics: ["in"], topics: StageTopics(defaultsFor: "x"), bootstrapServers: "b:1")
        let consumer = plain.runnerConsumer.librdkafkaProperties
        if Librdkafka.isAtLeast(major: 2, minor: 3) {
            #expect(consumer["queued.max.messages.kbytes"] == "4096")
            #expect(consumer["fetch.queue.backoff.ms"] == "10")
            #expect(!StageRunnerConfiguration.wakesFetchers)
        } else {
            // Older librdkafka leaves a full queue unfetched for up to a second: the runner's
            // consumer gets the small bound only because the runner wakes its fetchers;
            // restore and following keep librdkafka's.
            #expect(StageRunnerConfiguration.wakesFetchers)
            #expect(consumer["queued.max.messages.kbytes"] == "4096")
            #expect(StageRunnerConfiguration.stageConsumerProperties["queued.max.messages.kbytes"] == "65536")
            #expect(consumer["fetch.queue.backoff.ms"] == nil)
            // Woken each half bound: fetches of half the size keep the peak of one.
            #expect(consumer["fetch.max.bytes"] == "2097152")
            #expect(StageRunnerConfiguration.stageConsumerProperties["fetch.max.bytes"] == "4194304")
        }
        if Librdkafka.isAtLeast(major: 2, minor: 3) { #expect(consumer["fetch.max.bytes"] == "4194304") }
        #expect(consumer["max.partition.fetch.bytes"] == "1048576")
        #expect(consumer["fetch.wait.max.ms"] == "100")
        for (key, value) in StageRunnerConfiguration.stageConsumerProperties
        where key != "queued.max.messages.kbytes" && (key != "fetch.max.bytes" || !StageRunnerConfiguration.wakesFetchers) {
            #expect(consumer[key] == value)
        }
        #expect(plain.runnerProducer.librdkafkaProperties["queue.buffering.max.kbytes"] == "16384")
        // Restore reads keep the configured consumer (its fetch limits are their own).
        #expect(plain.consumer.librdkafkaProperties["queued.max.messages.kbytes"] == nil)

        var explicit = plain
        explicit.producer.queueBufferingMaxKilobytes = 2048
        #expect(explicit.runnerProducer.librdkafkaProperties["queue.buffering.max.kbytes"] == "2048")

        let topology = try Self.learnTopology(
            kafka: "{queued.max.messages.kbytes: 16384, queue.buffering.max.kbytes: 65536, fetch.wait.max.ms: 500, linger.ms: 1, socket.keepalive.enable: true}")
        for configuration in [
            StageRunnerConfiguration(topology: topology, stage: "learn", bootstrapServers: "b:1"),
            BuiltInStages.runnerConfiguration(for: .learn, topology: topology, bootstrapServers: "b:1"),
        ] {
            #expect(configuration.runnerConsumer.librdkafkaProperties["queued.max.messages.kbytes"] == "16384")
            #expect(configuration.runnerConsumer.librdkafkaProperties["fetch.max.bytes"] == (StageRunnerConfiguration.wakesFetchers ? "2097152" : "4194304"))
            #expect(configuration.runnerConsumer.librdkafkaProperties["fetch.wait.max.ms"] == "500")
            #expect(configuration.runnerProducer.librdkafkaProperties["queue.buffering.max.kbytes"] == "65536")
            // Each client gets only the settings it is for (librdkafka warns about the others).
            #expect(configuration.runnerProducer.librdkafkaProperties["linger.ms"] == "1")
            #expect(configuration.runnerConsumer.librdkafkaProperties["linger.ms"] == nil)
            #expect(configuration.runnerConsumer.librdkafkaProperties["queue.buffering.max.kbytes"] == nil)
            #expect(configuration.runnerProducer.librdkafkaProperties["fetch.wait.max.ms"] == nil)
            #expect(configuration.runnerProducer.librdkafkaProperties["queued.max.messages.kbytes"] == nil)
            #expect(configuration.runnerConsumer.librdkafkaProperties["socket.keepalive.enable"] == "true")
            #expect(configuration.runnerProducer.librdkafkaProperties["socket.keepalive.enable"] == "true")
        }
    }

    @Test func learnerPrefetchesHalfTheDefault() throws {
        let topology = try Self.learnTopology()
        let learn = BuiltInStages.runnerConfiguration(for: .learn, topology: topology, bootstrapServers: "b:1")
        let transform = BuiltInStages.runnerConfiguration(for: .transform, topology: topology, bootstrapServers: "b:1")
        #expect(learn.runnerConsumer.librdkafkaProperties["queued.max.messages.kbytes"] == "2048")
        #expect(transform.runnerConsumer.librdkafkaProperties["queued.max.messages.kbytes"] == "4096")
        // Restore reads keep the consumer as configured.
        #expect(learn.consumer.librdkafkaProperties["queued.max.messages.kbytes"] == nil)
    }

    /// A one-learner topology, with `kafka` as its `kafka:` section when given.
    private static func learnTopology(kafka: String? = nil) throws -> Topology {
        try Topology.parse(yaml: """
            name: demo
            \(kafka.map { "kafka: \($0)" } ?? "")
            topics:
              events: {name: demo.in, partitions: 2}
            schema: {target: y}
            stages:
              learn:
                model: logistic_regression
            """)
    }

    @Test func latencyHistogramBucketsLikePrometheus() {
        var histogram = LatencyHistogram(upperBounds: [0.001, 0.01])
        histogram.record(seconds: 0.0005)
        histogram.record(seconds: 0.001)
        histogram.record(seconds: 0.005)
        histogram.record(.seconds(2))
        #expect(histogram.bucketCounts == [2, 1, 1])
        #expect(histogram.cumulativeCounts == [2, 3, 4])
        #expect(histogram.count == 4)
        #expect(abs(histogram.sum - 2.0065) < 1e-12)
    }
}
