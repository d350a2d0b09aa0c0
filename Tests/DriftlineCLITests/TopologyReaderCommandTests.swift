import Foundation
import Pipeline
import Testing
import TestSupport

/// The commands that read a topology's topics from outside its stages (`models`, `export`,
/// `replay`) connect with its `kafka:` settings, as the stages do: a secured cluster (TLS,
/// SASL) needs them. `debug: consumer` in the topology makes each reader's librdkafka client
/// log under its client id, which shows the settings reached that reader.
@Suite(.serialized) struct TopologyReaderCommandTests {
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
}
