import Foundation
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
