import Foundation
import Kafka
import Pipeline
import Testing
import TestSupport

/// `docker-compose.yml` as Debian's docker-compose 1.29 reads it (no Docker engine runs here,
/// but `config` validates and normalizes the file without one).
@Suite struct DockerComposeTests {
    /// Runs `docker-compose ARGUMENTS` in the repository root, without the feeder's variables
    /// a developer may have exported.
    private func compose(_ arguments: [String]) throws -> DriftlineBinary.Result {
        try runProcess("/usr/bin/env", ["docker-compose", "--file", "docker-compose.yml"] + arguments,
                       removing: ["FEED_EVENTS", "FEED_DRIFT_AT"])
    }

    /// The normalized file's `services:` section, split into one text block per service.
    private func serviceBlocks() throws -> [String: String] {
        let output = try compose(["config"])
        #expect(output.status == 0, "\(output.stderr)")
        var blocks: [String: String] = [:]
        var current: String?
        var inServices = false
        for line in output.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            // Blank lines occur inside multi-line strings (the topics script).
            if line.isEmpty { continue }
            if !line.hasPrefix(" ") {
                inServices = line == "services:"
                current = nil
                continue
            }
            guard inServices else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                blocks[current!] = ""
            } else if let name = current {
                blocks[name, default: ""] += line + "\n"
            }
        }
        return blocks
    }

    @Test func configIsValidForDockerCompose129() throws {
        let output = try compose(["config", "-q"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func servicesAreTheOnesTheQuickstartNeeds() throws {
        let services = try compose(["config", "--services"])
        #expect(services.status == 0, "\(services.stderr)")
        #expect(services.stdout.split(separator: "\n").map(String.init).sorted()
            == ["detect", "feeder", "kafka", "learn", "prometheus", "topics", "transform"])
    }

    @Test func servicesAreConfiguredAsDocumented() throws {
        let blocks = try serviceBlocks()

        let kafka = try #require(blocks["kafka"])
        #expect(kafka.contains("image: apache/kafka:3.9.0"))
        #expect(kafka.contains("KAFKA_PROCESS_ROLES: broker,controller"))

        // Each stage runs `driftline stage NAME` on the quickstart topology against the
        // compose broker, serving metrics where Prometheus can reach them; none has a fixed
        // container name, so any can be scaled.
        for stage in ["transform", "learn", "detect"] {
            let block = try #require(blocks[stage])
            #expect(block.contains("""
                    command:
                    - stage
                    - \(stage)
                    - --topology
                    - /topologies/quickstart.yaml
                    - --brokers
                    - kafka:9092
                    - --metrics-host
                    - 0.0.0.0
                    - --metrics-port
                    - '9464'

                """), "\(stage):\n\(block)")
            #expect(block.contains("image: driftline:local"))
            #expect(!block.contains("container_name"), "\(stage)")
            #expect(block.contains("condition: service_completed_successfully"))
        }
        #expect(try #require(blocks["learn"]).contains("replicas: 2"))

        // The feeder generates a drifting stream and produces it into the quickstart's events.
        let feeder = try #require(blocks["feeder"])
        let script = feeder.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(script.contains(#"driftline generate --events "$$FEED_EVENTS" --drift-at "$$FEED_DRIFT_AT" --output /tmp/events.jsonl"#),
                "\(script)")
        #expect(script.contains(
            "driftline produce --topology /topologies/quickstart.yaml --brokers kafka:9092 --file /tmp/events.jsonl"),
                "\(script)")
        #expect(feeder.contains("FEED_EVENTS: '100000'") || feeder.contains("FEED_EVENTS: \"100000\""), "\(feeder)")

        let prometheus = try #require(blocks["prometheus"])
        #expect(prometheus.contains("image: prom/prometheus:v2.55.1"))
        #expect(prometheus.contains("/deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"))
    }

    /// The topic-creation service creates exactly the topics `driftline up` creates for the
    /// quickstart topology (`Topology.topicsToCreate`): its topics with their partitions and
    /// configs, the model topic sized for large model records, and the detect stage's
    /// compacted changelog.
    @Test func topicsServiceCreatesTheQuickstartTopics() throws {
        let topology = try Topology.load(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("topologies/quickstart.yaml"))
        let file = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docker-compose.yml"),
                              encoding: .utf8)
        let creates = file.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("create --topic ") }
        // Configs in key order; the file lists them so.
        let expected = topology.topicsToCreate.map { topic in
            topic.configs.sorted { $0.key < $1.key }
                .reduce("create --topic \(topic.name) --partitions \(topic.partitions)") { $0 + " --config \($1.key)=\($1.value)" }
        }
        #expect(creates == expected)
        #expect(creates.contains(
            "create --topic quickstart.models --partitions 1 --config cleanup.policy=compact --config max.message.bytes=268435456"))
        #expect(creates.last == "create --topic quickstart.detect-changelog --partitions 1 --config cleanup.policy=compact")
    }

    /// Prometheus scrapes every stage service on the port the stages serve.
    @Test func prometheusScrapesEveryStage() throws {
        let config = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("deploy/prometheus/prometheus.yml"),
            encoding: .utf8)
        for stage in ["transform", "learn", "detect"] {
            #expect(config.contains("- names: [\(stage)]"), "\(stage)")
        }
        #expect(config.components(separatedBy: "port: 9464").count - 1 == 3)
        #expect(config.contains("metrics_path: /metrics"))
    }
}
