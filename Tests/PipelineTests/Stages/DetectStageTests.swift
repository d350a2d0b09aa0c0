import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The detect stage raises the same detections, at the same events, as evaluate's in-line
/// detectors (with `on_drift: none` the streams are identical), with full evidence.
@Suite struct DetectStageTests {
    private func alerts(_ driver: TopologyTestDriver, _ topic: String) throws -> [JSONValue] {
        try driver.records(in: topic).map { try CanonicalJSON.parse(String(decoding: $0.value, as: UTF8.self)) }
    }

    @Test func regressionLossAlertsAndModelMatchEvaluate() throws {
        let topology = try Topology.parse(yaml: """
            name: trump
            topics: {events: {name: trump.events, partitions: 1}, features: {name: trump.features, partitions: 1}}
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: linear_regression, publish: {every_events: 250}}
              detect: {concept: {detector: page_hinkley, input: loss}}
            """)
        let lines = try StageTestSupport.lines("trump_approval.jsonl")
        let evaluation = StageTestSupport.evaluate(topology, lines: lines)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "trump.events")
        try driver.close()

        let final = try #require(try StageTestSupport.models(driver, topic: "trump.models", key: "trump").last)
        #expect(final.document.contentHash == evaluation.modelDocument?.contentHash)
        let alerts = try alerts(driver, "trump.drift-alerts")
        #expect(!alerts.isEmpty)
        #expect(alerts.compactMap { $0["position"]?["source"]?["offset"]?.intValue } == evaluation.detections.map(\.index))
        let first = try #require(alerts.first)
        let expected = try #require(evaluation.detections.first?.evidence)
        #expect(first["format"]?.stringValue == "driftline.drift_alert")
        #expect(first["kind"]?.stringValue == "concept" && first["input"]?.stringValue == "loss")
        #expect(first["detector"]?.stringValue == "page_hinkley")
        #expect(first["statistic"]?.doubleValue == expected.statistic)
        #expect(first["threshold"]?.doubleValue == expected.threshold)
        #expect(first["detector_position"]?.intValue == expected.position)
        #expect(first["parameters"]?["threshold"]?.doubleValue != nil)
        #expect(first["model_key"]?.stringValue == "trump")
        #expect(first["model_version"]?.intValue != nil)
        let predictions = try driver.records(in: "trump.predictions").map { try PredictionRecord(decoding: $0.value) }
        #expect(predictions.count == 1001)
        #expect(predictions.allSatisfy { $0.probability == nil && $0.error.map { $0 >= 0 } == true })
    }

    @Test func dataDriftOnTheFeaturesAndConceptDriftOnARawField() throws {
        let topology = try Topology.parse(yaml: """
            name: numeric
            topics: {events: {name: numeric.events, partitions: 1}, features: {name: numeric.features, partitions: 1}}
            stages:
              transform: {scale: none}
              detect:
                concept: {detector: adwin, delta: 0.002, input: {field: x}}
                data: {test: ks, reference: 5000, window: 1000, alpha: 0.001}
            """)
        let lines = try StageTestSupport.lines("numeric_drift_50k.jsonl", limit: 12_000)
        let evaluation = StageTestSupport.evaluate(topology, lines: lines)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "numeric.events")
        try driver.close()

        let alerts = try alerts(driver, "numeric.drift-alerts")
        let data = alerts.filter { $0["kind"]?.stringValue == "data" }
        let concept = alerts.filter { $0["kind"]?.stringValue == "concept" }
        let offsets = { (alerts: [JSONValue]) in alerts.compactMap { $0["position"]?["source"]?["offset"]?.intValue } }
        #expect(offsets(data) == evaluation.detections.filter { $0.evidence.kind == .data }.map(\.index))
        #expect(offsets(concept) == evaluation.detections.filter { $0.evidence.kind == .concept }.map(\.index))
        let first = try #require(data.first)
        #expect(first["feature"]?.stringValue == "x")
        #expect(first["detector"]?.stringValue == "ks")
        #expect(first["window_sizes"]?.arrayValue?.compactMap(\.intValue) == [5000, 1000])
        #expect(first["p_value"]?.doubleValue.map { $0 < 0.001 } == true)
        #expect(first["model_version"] == .null)
        #expect((10_000..<11_000).contains(try #require(offsets(data).first)))
        #expect(concept.first?["input"]?.stringValue == "field:x")
    }
}
