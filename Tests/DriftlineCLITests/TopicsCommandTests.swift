import Foundation
import Pipeline
import Testing
import TestSupport

extension KafkaCommandTests {
    @Suite struct TopicsCommandTests {
        @Test func listShowsTopicsWithPartitionCounts() throws {
            let broker = try CommandBroker(.embedded, topics: [("alerts", 3), ("events", 8)])
            defer { broker.stop() }
            let result = try DriftlineBinary.run(["topics", "list", "--brokers", broker.bootstrapServers])
            #expect(result.status == 0, "\(result.stderr)")
            let rows = result.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.contains(["alerts", "3"]))
            #expect(rows.contains(["events", "8"]))
        }

        @Test func createOnTheEmbeddedBrokerExplainsWhyItFails() throws {
            let broker = try CommandBroker(.embedded, topics: [])
            defer { broker.stop() }
            let result = try DriftlineBinary.run(
                ["topics", "create", "new-topic", "--partitions", "2", "--brokers", broker.bootstrapServers,
                 "--timeout", "2"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("could not create topic new-topic"))
            #expect(result.stderr.contains("does not support CreateTopics"))

            let fixture = try PipelineFixture(prefix: "te", broker: nil, stages: UpCommandTests.phishingStages)
            defer { fixture.cleanUp() }
            let topology = try DriftlineBinary.run(
                ["topics", "create", "--topology", fixture.topologyURL.path, "--brokers", broker.bootstrapServers,
                 "--timeout", "2"])
            #expect(topology.status != 0)
            #expect(topology.stderr.contains("could not create the topics of \(fixture.name)"), "\(topology.stderr)")
            #expect(topology.stderr.contains("`driftline up` creates a topology's topics"), "\(topology.stderr)")
        }

        /// `topics create --topology` sets up a cluster for `driftline stage` as `up` would:
        /// every topic with its partitions and configs, the detect changelog, once.
        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func createsATopologysTopicsOnTansu() throws {
            let broker = try CommandBroker(.tansu, topics: [])
            defer { broker.stop() }
            let fixture = try PipelineFixture(prefix: "tc", broker: nil, stages: UpCommandTests.phishingStages, partitions: 3)
            defer { fixture.cleanUp() }
            // A topic made beforehand with another partition count is kept, with a warning.
            let events = fixture.topology.topics.events.name
            let early = try DriftlineBinary.run(["topics", "create", events, "--brokers", broker.bootstrapServers])
            #expect(early.status == 0, "\(early.stderr)")

            let arguments = ["topics", "create", "--topology", fixture.topologyURL.path, "--brokers", broker.bootstrapServers,
                             "--replication-factor", "1"]
            let created = try DriftlineBinary.run(arguments)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stderr.contains("warning: topic \(events) exists with 1 partition; the topology declares 3"),
                    "\(created.stderr)")
            let expected = fixture.topology.topicsToCreate.filter { $0.name != events }
            #expect(expected.count == 6, "five roles and the detect changelog")
            for topic in expected {
                #expect(created.stderr.contains("created topic \(topic.name) with \(topic.partitions) partition"), "\(created.stderr)")
            }
            #expect(created.stderr.contains("max.message.bytes=268435456"), "the models topic: \(created.stderr)")

            let listed = try DriftlineBinary.run(["topics", "list", "--topology", fixture.topologyURL.path, "--brokers", broker.bootstrapServers])
            #expect(listed.status == 0, "\(listed.stderr)")
            let rows = Set(listed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) })
            for topic in expected {
                #expect(rows.contains([topic.name, String(topic.partitions)]), "\(listed.stdout)")
            }
            #expect(rows.contains([events, "1"]), "\(listed.stdout)")

            let again = try DriftlineBinary.run(arguments)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(!again.stderr.contains("created topic"), "\(again.stderr)")
            #expect(again.stderr.contains("topic \(fixture.topology.topics.features.name) exists"), "\(again.stderr)")
        }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func createAndListOnTansu() throws {
            let broker = try CommandBroker(.tansu, topics: [])
            defer { broker.stop() }
            let topic = uniqueTopic("created")
            let created = try DriftlineBinary.run(
                ["topics", "create", topic, "--partitions", "5", "--config", "cleanup.policy=compact",
                 "--brokers", broker.bootstrapServers])
            #expect(created.status == 0, "\(created.stderr)")
            let again = try DriftlineBinary.run(
                ["topics", "create", topic, "--partitions", "5", "--brokers", broker.bootstrapServers])
            #expect(again.status != 0)
            let listed = try DriftlineBinary.run(["topics", "list", "--brokers", broker.bootstrapServers])
            #expect(listed.status == 0, "\(listed.stderr)")
            let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.contains([topic, "5"]))
        }
    }
}
