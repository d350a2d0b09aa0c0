import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The detect stage checkpoints its detectors to `NAME.detect-changelog` and restores them:
/// a task that lost its partition (a crash: no final checkpoint) and a restarted one continue
/// the windows, so their alerts are the uninterrupted run's (a lost task repeats, byte for
/// byte, the alerts after its last checkpoint: at-least-once on the in-memory driver).
@Suite struct DetectCheckpointTests {
    static let yaml = """
        name: dc
        topics: {events: {name: dc.events, partitions: 1}, features: {name: dc.features, partitions: 1}, predictions: {name: dc.predictions, partitions: 1}}
        schema: {target: y}
        stages:
          transform: {scale: standard}
          learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}, publish: {every_events: 1000}}
          detect:
            concept: {detector: adwin, delta: 0.002, input: error}
            data: {test: ks, reference: 300, window: 200, alpha: 0.2}
        """

    static func run(_ lines: [String], interrupt: ((TopologyTestDriver) throws -> Void)? = nil) throws -> [String] {
        let topology = try Topology.parse(yaml: yaml)
        let driver = try TopologyTestDriver(topology: topology)
        let cut = lines.count * 3 / 5
        try StageTestSupport.pipe(lines[..<cut], into: driver, topic: "dc.events")
        try interrupt?(driver)
        try StageTestSupport.pipe(lines[cut...], into: driver, topic: "dc.events", startIndex: cut)
        try driver.close()
        return driver.records(in: "dc.drift-alerts").map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Alerts without repeats, in first-seen order; fails if two copies of one differ.
    static func distinct(_ alerts: [String]) throws -> [String] {
        var seen: [String: String] = [:]
        var result: [String] = []
        for alert in alerts {
            let json = try CanonicalJSON.parse(alert)
            let id = [
                json["position"]?["source"]?["offset"]?.intValue.map(String.init) ?? "",
                json["input"]?.stringValue ?? "", json["feature"]?.stringValue ?? "",
            ].joined(separator: "|")
            if let earlier = seen[id] {
                #expect(earlier == alert, "two different alerts for \(id)")
                continue
            }
            seen[id] = alert
            result.append(alert)
        }
        return result
    }

    @Test func aLostTaskRestoresItsLastCheckpointAndRaisesTheUninterruptedAlerts() throws {
        let lines = try StageTestSupport.lines("sine_drift_100k.jsonl", limit: 6000)
        let uninterrupted = try Self.run(lines)
        #expect(uninterrupted.count >= 2, "the stream raises alerts to compare")
        #expect(try Self.distinct(uninterrupted) == uninterrupted)

        let crashed = try Self.run(lines) { driver in
            for topic in ["dc.predictions", "dc.features"] {
                try driver.revoke(stage: "detect", topic: topic, partition: 0, lost: true)
                try driver.assign(stage: "detect", topic: topic, partition: 0)
            }
            // The restored tasks resumed at their checkpoint, not at the start.
            let changelog = driver.records(in: "dc.detect-changelog")
            #expect(!changelog.isEmpty)
        }
        #expect(try Self.distinct(crashed) == uninterrupted)

        let restarted = try Self.run(lines) { try $0.restart(stage: "detect") }
        #expect(restarted == uninterrupted, "a clean restart checkpoints at the end and repeats nothing")
    }

    /// `stages.detect.checkpoint.every_events` sets the interval: a task checkpoints after every
    /// that many inputs and at its end (the default, 2,000, only at the end of 1,250 inputs).
    @Test(arguments: [(nil, [1250]), (300, [300, 600, 900, 1200, 1250])] as [(Int?, [Int64])])
    func checkpointIntervalIsTheConfiguredEveryEvents(every: Int?, expected: [Int64]) throws {
        let yaml = Self.yaml + (every.map { "\n    checkpoint: {every_events: \($0)}" } ?? "")
        let topology = try Topology.parse(yaml: yaml)
        #expect(topology.stages.detect?.checkpoint.everyEvents == every ?? 2000)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(try StageTestSupport.lines("phishing.jsonl"), into: driver, topic: "dc.events")
        try driver.close()
        let changelog = driver.records(in: DetectCheckpointRecord.topic(for: topology))
        for task in ["dc.predictions/0", "dc.features/0"] {
            let commits = try changelog.filter { $0.key == Array(task.utf8) }.map {
                try DetectCheckpointRecord(decoding: $0.value).inputNext
            }
            #expect(commits == expected, "checkpoints of \(task)")
        }
    }

    /// Every part of a checkpoint decodes to the same bytes it was encoded from.
    @Test func checkpointRecordsRoundTripBitExactly() throws {
        let topology = try Topology.parse(yaml: Self.yaml)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(try StageTestSupport.lines("phishing.jsonl"), into: driver, topic: "dc.events")
        try driver.close()
        let records = driver.records(in: DetectCheckpointRecord.topic(for: topology))
        #expect(records.contains { $0.key == Array("dc.predictions/0/concept".utf8) })
        #expect(records.contains { $0.key == Array("dc.features/0/feature/age_of_domain".utf8) })
        #expect(records.contains { $0.key == Array("dc.features/0".utf8) })
        for record in records {
            let decoded = try DetectCheckpointRecord(decoding: record.value)
            #expect(try decoded.encoded() == record.value)
            #expect(Array(decoded.key.utf8) == record.key)
        }
    }
}
