import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The retraining loop on the driver: detect raises concept alerts on the sine stream's
/// drifts, the learner follows the alert topic and resets, and the model topic records it.
@Suite struct RetrainingLoopTests {
    static let yaml = """
        name: sine
        topics:
          events: {name: sine.events, partitions: 1}
          features: {name: sine.features, partitions: 1}
          predictions: {name: sine.predictions, partitions: 1}
        schema: {target: y}
        stages:
          transform: {scale: standard}
          learn:
            model: logistic_regression
            optimizer: {name: sgd, lr: 0.1}
            publish: {every_events: 5000, every_seconds: 1000}
            on_drift: reset
          detect:
            concept: {detector: adwin, delta: 0.002, input: error}
        """

    @Test func conceptAlertsNearTheDriftsResetTheModel() throws {
        let topology = try Topology.parse(yaml: Self.yaml)
        let lines = try StageTestSupport.lines("sine_drift_100k.jsonl", limit: 45_000)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "sine.events")
        try driver.close()

        let alerts = try driver.records(in: "sine.drift-alerts").map {
            try CanonicalJSON.parse(String(decoding: $0.value, as: UTF8.self))
        }
        let positions = alerts.compactMap { $0["position"]?["source"]?["offset"]?.intValue }
        #expect(alerts.allSatisfy { $0["kind"]?.stringValue == "concept" && $0["detector"]?.stringValue == "adwin" })
        // Each true drift (20000, 40000) is detected within 1000 events, with no alert before the first.
        for drift in [20_000, 40_000] {
            #expect(positions.contains { $0 >= drift && $0 < drift + 1000 }, "alert after \(drift): \(positions)")
        }
        #expect(positions.allSatisfy { $0 >= 20_000 }, "\(positions)")

        let models = try StageTestSupport.models(driver, topic: "sine.models", key: "sine")
        let resets = models.filter { StageTestSupport.header(ModelRecordHeaders.reason, $0.record) == "reset" }
        #expect(resets.count >= 2)
        for reset in resets {
            let document = reset.document
            #expect(document.parentVersion == document.version - 1)
            #expect(document.trainingOffsets.isEmpty, "a reset starts a new lineage")
            #expect(document.lineage?["started_at_version"]?.intValue == document.version)
            let cause = try #require(document.lineage?["started_by"])
            #expect(cause["action"]?.stringValue == "reset_model")
            #expect(cause["alert_position"]?["topic"]?.stringValue == "sine.drift-alerts")
            #expect(cause["detector"]?.stringValue == "adwin")
            // The alert was about the model being replaced.
            #expect((cause["model_version"]?.intValue ?? .max) < document.version)
        }
        // After the last reset the model learns only from events after it.
        let final = try #require(models.last?.document)
        let lastReset = try #require(resets.last?.document)
        let resetAlertOffset = try #require(lastReset.lineage?["started_by"]?["position"]?["source"]?["offset"]?.intValue)
        #expect(try #require(final.trainingOffsets.first).first > resetAlertOffset)
        var previous = 0
        for (_, document) in models {
            #expect(document.version >= previous)
            previous = document.version
        }
    }
}
