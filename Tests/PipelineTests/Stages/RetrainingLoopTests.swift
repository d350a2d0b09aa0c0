import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The retraining loop on the driver: detect raises concept alerts on the sine stream's
/// drifts, the learner follows the alert topic and resets, and the model topic records it.
@Suite struct RetrainingLoopTests {
    static func yaml(lr: Double = 0.1, onDrift: String = "reset") -> String {
        TopologyYAML.onePartition(name: "sine", lr: lr, everyEvents: 5000, everySeconds: 1000, onDrift: onDrift)
    }

    @Test func conceptAlertsNearTheDriftsResetTheModel() throws {
        let topology = try Topology.parse(yaml: Self.yaml())
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

extension RetrainingLoopTests {
    @Test func challengerIsPromotedAsANewVersionWithItsTrial() throws {
        // SGD(0.01) adapts slowly: after the drift at 20000 a fresh challenger beats the champion.
        let topology = try Topology.parse(yaml: Self.yaml(lr: 0.01, onDrift: "{action: challenger, trial: 500}"))
        let lines = try StageTestSupport.lines("sine_drift_100k.jsonl", limit: 23_000)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "sine.events")
        try driver.close()
        let models = try StageTestSupport.models(driver, topic: "sine.models", key: "sine")
        let promotions = models.filter { StageTestSupport.header(ModelRecordHeaders.reason, $0.record) == "promotion" }
        let promotion = try #require(promotions.first)
        let cause = try #require(promotion.document.lineage?["started_by"])
        #expect(cause["action"]?.stringValue == "promote_challenger")
        #expect(cause["trial"]?["promoted"]?.boolValue == true)
        #expect(cause["trial"]?["events"]?.intValue == 500)
        #expect(cause["alert"]?["detector"]?.stringValue == "adwin")
        #expect(promotion.document.parentVersion == promotion.document.version - 1)
        // The champion's version in progress was completed just before.
        let index = try #require(models.firstIndex { $0.record.offset == promotion.record.offset })
        #expect(models[index - 1].document.version == promotion.document.version - 1)
        // The promoted model learned only the trial's events (after the alert).
        let range = try #require(promotion.document.trainingOffsets.first)
        #expect(range.first >= 20_000 && range.last - range.first < 600)
    }
}

/// Two partitions: one learner task per features partition, each with its own model key.
@Suite struct PartitionedLearnerTests {
    @Test func eachPartitionHasItsOwnModelKeyAndLineage() throws {
        let topology = try Topology.parse(yaml: """
            name: two
            topics:
              events: {name: two.events, partitions: 2}
              features: {name: two.features, partitions: 2}
              predictions: {name: two.predictions, partitions: 2}
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}, publish: {every_events: 200}}
            """)
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let driver = try TopologyTestDriver(topology: topology)
        for (index, line) in lines.enumerated() {
            try driver.pipe(StageRecord(value: Array(line.utf8), timestampMilliseconds: Int64(index), partition: Int32(index % 2)),
                            into: "two.events")
        }
        try driver.close()
        for partition in 0..<2 {
            let models = try StageTestSupport.models(driver, topic: "two.models", key: "two/\(partition)")
            let final = try #require(models.last?.document)
            #expect(final.name == "two")
            #expect(final.trainingOffsets.map(\.partition) == [partition])
            #expect(final.pipeline.eventsLearned == 625)
            // The same model as evaluate over this partition's events alone (lineage aside).
            let own = lines.enumerated().filter { $0.offset % 2 == partition }.map(\.element)
            let evaluation = StageTestSupport.evaluate(topology, lines: own)
            #expect(final.pipeline.learner.weights == evaluation.model?.learner.weights)
            #expect(final.pipeline.learner.intercept == evaluation.model?.learner.intercept)
        }
        #expect(driver.records(in: "two.predictions").count == 1250)
    }
}
