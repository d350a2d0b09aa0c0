import Foundation
import Pipeline
import Testing
import TestSupport

/// Every client a command makes for a topology's cluster connects with its `kafka:` settings, as
/// the stages do: a secured cluster (TLS, SASL) needs them. A `debug:` setting in the topology
/// makes librdkafka log under each client's id, which shows the settings reached that client.
@Suite(.serialized) struct TopologyClientSettingsCommandTests {
    @Test func modelsAndExportConnectWithTheTopologysKafkaSettings() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "rs", broker: broker, stages: UpCommandTests.phishingStages, extra: "kafka: {debug: consumer}")
        defer { fixture.cleanUp() }

        let list = try DriftlineBinary.run(["models", "list", "--topology", fixture.topologyURL.path])
        #expect(list.stderr.contains("driftline-models#consumer"), "\(list.stderr.prefix(3000))")

        let slice = fixture.directory.appendingPathComponent("slice.jsonl").path
        let export = try DriftlineBinary.run(
            ["export", "--topology", fixture.topologyURL.path, "--model", "\(fixture.name)@1", "--output", slice])
        #expect(export.status != 0, "the model topic is empty: there is no version 1")
        #expect(export.stderr.contains("driftline-replay#consumer"), "\(export.stderr.prefix(3000))")
    }

    /// `up` lists (and creates missing) topics of a real cluster with an admin client.
    @Test func upsAdminClientConnectsWithTheTopologysKafkaSettings() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "ra", broker: broker, stages: UpCommandTests.phishingStages, extra: "kafka: {debug: metadata}")
        defer { fixture.cleanUp() }
        let feed = fixture.directory.appendingPathComponent("feed.jsonl")
        try (Fixtures.lines("phishing.jsonl").prefix(200).joined(separator: "\n") + "\n").write(to: feed, atomically: true, encoding: .utf8)

        let up = try DriftlineBinary.run(
            ["up", fixture.topologyURL.path, "--feed", feed.path, "--until-idle", "--idle-seconds", "2"], timeout: .seconds(120))
        #expect(up.status == 0, "\(up.stderr.suffix(3000))")
        #expect(up.stderr.contains("driftline-admin#producer"), "\(up.stderr.prefix(3000))")
    }

    /// `stage detect` creates its changelog topic with an admin client of its own.
    @Test func detectStagesAdminClientConnectsWithTheTopologysKafkaSettings() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "rc", broker: broker, stages: UpCommandTests.phishingStages, extra: "kafka: {debug: metadata}")
        defer { fixture.cleanUp() }
        let detect = try StageProcess(stage: "detect", topology: fixture.topologyURL.path, directory: fixture.directory)
        defer { detect.kill() }
        let deadline = ContinuousClock.now + .seconds(60)
        while !detect.stderr().contains("driftline-admin#producer") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        detect.terminate()
        #expect(try await detect.waitForExit(timeout: .seconds(30)) == 0, "\(detect.stderr().suffix(3000))")
        #expect(detect.stderr().contains("driftline-admin#producer"), "\(detect.stderr().prefix(3000))")
    }
    /// `produce` and `subscribe` take a topology in place of --brokers, -X and --topic: they
    /// connect with its settings, write its events keyed by `schema.key` (as `up --feed`
    /// does), and read its drift-alert topic unless told another.
    @Test func produceAndSubscribeTakeTheTopologysTopicsKeyAndKafkaSettings() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "rp", broker: broker, stages: UpCommandTests.phishingStages, schema: "{target: y, key: id}",
            extra: "kafka: {debug: metadata}")
        defer { fixture.cleanUp() }
        let topology = fixture.topologyURL.path
        let events = try fixture.write(["a", "b", "c"].map { #"{"id":"\#($0)","x":1.5,"y":0}"# }, as: "events.jsonl")

        let produced = try DriftlineBinary.run(["produce", "--topology", topology, "--file", events])
        #expect(produced.status == 0, "\(produced.stderr.suffix(3000))")
        #expect(produced.stderr.contains("driftline-produce#producer"), "\(produced.stderr.prefix(3000))")
        let read = try DriftlineBinary.run(
            ["subscribe", "--topology", topology, "--topic", fixture.topology.topics.events.name, "--from-beginning",
             "--max", "3"])
        #expect(read.status == 0, "\(read.stderr.suffix(3000))")
        #expect(read.stderr.contains("driftline-subscribe#consumer"), "\(read.stderr.prefix(3000))")
        #expect(try jsonLines(read.stdout).compactMap { $0["key"] as? String }.sorted() == ["a", "b", "c"])

        // Another of its topics is not keyed by the schema (an alert has no `id`).
        let alerts = fixture.topology.topics.alerts.name
        let alert = try DriftlineBinary.run(
            ["produce", "--topology", topology, "--topic", alerts], input: #"{"kind":"concept","detector":"adwin"}"#)
        #expect(alert.status == 0, "\(alert.stderr.suffix(3000))")
        let alertRead = try DriftlineBinary.run(["subscribe", "--topology", topology, "--from-beginning", "--max", "1"])
        #expect(alertRead.status == 0, "\(alertRead.stderr.suffix(3000))")
        let records = try jsonLines(alertRead.stdout)
        try #require(records.count == 1)
        #expect(records[0]["topic"] as? String == alerts)
        #expect((records[0]["value"] as? [String: Any])?["detector"] as? String == "adwin")
    }

    /// What a topology cannot give a command is asked for clearly: an address (a topology on
    /// the embedded broker names none another process can reach), a topic or a topology, and
    /// a named topic for per-topic options.
    @Test func missingAddressTopicOrNameAreClearErrors() throws {
        let fixture = try PipelineFixture(prefix: "re", broker: nil, stages: UpCommandTests.phishingStages)
        defer { fixture.cleanUp() }
        let subscribe = try DriftlineBinary.run(["subscribe", "--topology", fixture.topologyURL.path, "--max", "1"])
        #expect(subscribe.status != 0)
        #expect(subscribe.stderr.contains("`brokers: embedded`: give --brokers"), "\(subscribe.stderr)")
        let produce = try DriftlineBinary.run(["produce", "--brokers", "127.0.0.1:1"], input: "{}")
        #expect(produce.status != 0)
        #expect(produce.stderr.contains("give --topic name or --topology file"), "\(produce.stderr)")
        let list = try DriftlineBinary.run(["topics", "list"])
        #expect(list.status != 0)
        #expect(list.stderr.contains("give --brokers host:port or --topology file"), "\(list.stderr)")
        let create = try DriftlineBinary.run(
            ["topics", "create", "--topology", fixture.topologyURL.path, "--brokers", "127.0.0.1:1", "--partitions", "3"])
        #expect(create.status != 0)
        #expect(create.stderr.contains("a topology's topics take theirs from the file"), "\(create.stderr)")
    }
}
