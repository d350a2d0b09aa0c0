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
}
