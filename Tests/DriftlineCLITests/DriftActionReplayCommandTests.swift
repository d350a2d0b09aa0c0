import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// `replay --verify` on models changed by `on_drift`, made by `driftline up` over the embedded
/// broker: the learner applies a reset or starts a challenger whenever it happens to read the
/// detector's alert, the documents record where, and replay re-applies the actions there —
/// from the brokers and from an exported slice. A slice with one flipped label fails, naming
/// the first version that learned it.
@Suite(.serialized) struct DriftActionReplayCommandTests {
    static func stages(onDrift: String, lr: Double) -> String {
        TopologyYAML.stages(lr: lr, everyEvents: 2000, everySeconds: 1000, onDrift: onDrift)
    }

    /// Runs the first `events` sine events (concept reversed at 20,000) through `up`, fed at
    /// 2,000 events per second so that stream time — which paces the learner's alert reads —
    /// advances; returns the model documents with their records.
    static func run(_ fixture: PipelineFixture, events: Int) async throws -> ModelLineage {
        let lines = try Array(Fixtures.lines("sine_drift_100k.jsonl").prefix(events))
        let feed = try fixture.write(lines, as: "sine.jsonl")
        let up = try BackgroundCLI(
            ["up", fixture.topologyURL.path, "--feed", feed, "--rate", "2000", "--until-idle", "--idle-seconds", "4"],
            directory: fixture.directory, name: "up")
        defer { up.kill() }
        let status = try await up.waitForExit(timeout: .seconds(300))
        #expect(status == 0, "\(up.stderr())")
        return try ModelLineage(key: fixture.name, records: try await fixture.read(fixture.topology.topics.models.name))
    }

    @Test func aResetModelVerifiesByReplayAndATamperedSliceFails() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(prefix: "odreset", broker: broker, stages: Self.stages(onDrift: "reset", lr: 0.1))
        defer { fixture.cleanUp() }
        let lineage = try await Self.run(fixture, events: 30_000)
        let reset = try #require(lineage.entries.first { $0.reason == "reset" }?.document, "no reset: \(lineage.entries.map(\.reason))")
        let final = try #require(lineage.entries.last?.document)
        #expect(final.version > reset.version)
        #expect(final.lineage?["started_by"]?["applied_at"]?["source"]?["topic"]?.stringValue == fixture.topology.topics.events.name)
        try verify(fixture, lineage: lineage, final: final, action: "reset_model")

        // A version before any action exports as a version 1 slice, without actions.
        let early = fixture.directory.appendingPathComponent("early.jsonl")
        let exported = try DriftlineBinary.run(
            ["export", "--topology", fixture.topologyURL.path, "--model", "\(fixture.name)@2", "--output", early.path,
             "--brokers", fixture.servers])
        #expect(exported.status == 0, "\(exported.stderr)")
        let header = try CanonicalJSON.parse(String(try String(contentsOf: early, encoding: .utf8).prefix { $0 != "\n" }))
        #expect(header["driftline_slice"]?.intValue == 1)
        #expect(header["actions"] == nil)
        let replayed = try DriftlineBinary.run(["replay", "--file", early.path, "--topology", fixture.topologyURL.path, "--verify"])
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.contains("verified: 2 versions match"), "\(replayed.stdout)")
    }

    @Test func aPromotedChallengerVerifiesByReplayAndATamperedSliceFails() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        // SGD(0.002) adapts slowly after the concept reversed: the fresh challenger wins.
        let fixture = try PipelineFixture(
            prefix: "odchall", broker: broker, stages: Self.stages(onDrift: "{action: challenger, trial: 500}", lr: 0.002))
        defer { fixture.cleanUp() }
        let lineage = try await Self.run(fixture, events: 30_000)
        let promotion = try #require(
            lineage.entries.first { $0.reason == "promotion" }?.document, "no promotion: \(lineage.entries.map(\.reason))")
        let final = try #require(lineage.entries.last?.document)
        #expect(promotion.lineage?["started_by"]?["alert"]?["applied_at"] != nil)
        try verify(fixture, lineage: lineage, final: final, action: "challenger_started")
    }

    func verify(_ fixture: PipelineFixture, lineage: ModelLineage, final: ModelDocument, action: String) throws {
        let model = "\(fixture.name)@\(final.version)"
        let topology = fixture.topologyURL.path
        let replayed = try DriftlineBinary.run(["replay", "--topology", topology, "--model", model, "--verify", "--brokers", fixture.servers])
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.contains("re-applying \(action) at \(fixture.topology.topics.events.name)[0]@"), "\(replayed.stdout)")
        #expect(replayed.stdout.contains(", applied at \(fixture.topology.topics.events.name)[0]@"), "\(replayed.stdout)")
        #expect(replayed.stdout.contains(final.contentHash))
        #expect(replayed.stdout.contains("verified: \(lineage.entries.count) versions match"), "\(replayed.stdout)")

        let slice = fixture.directory.appendingPathComponent("slice.jsonl")
        let exported = try DriftlineBinary.run(
            ["export", "--topology", topology, "--model", model, "--output", slice.path, "--brokers", fixture.servers])
        #expect(exported.status == 0, "\(exported.stderr)")
        let fromFile = try DriftlineBinary.run(["replay", "--file", slice.path, "--topology", topology, "--verify"])
        #expect(fromFile.status == 0, "\(fromFile.stdout)\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("re-applying \(action)"), "\(fromFile.stdout)")

        // Flip the label of an event the final version learned; the first version that learned
        // it is the one named.
        let offset = try #require(final.trainingOffsets.first).first + 50
        let expected = try #require(
            lineage.entries.first { $0.document.trainingOffsets.contains { $0.first <= offset && offset <= $0.last } }?
                .document.version)
        var lines = try String(contentsOf: slice, encoding: .utf8).split(separator: "\n").map(String.init)
        let index = try #require(lines.firstIndex { $0.hasPrefix("{\"offset\":\(offset),") })
        let flipped = lines[index].contains(#"\"y\":1"#)
            ? lines[index].replacingOccurrences(of: #"\"y\":1"#, with: #"\"y\":0"#)
            : lines[index].replacingOccurrences(of: #"\"y\":0"#, with: #"\"y\":1"#)
        #expect(flipped != lines[index], "\(lines[index])")
        lines[index] = flipped
        let tampered = fixture.directory.appendingPathComponent("tampered.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: tampered, atomically: true, encoding: .utf8)
        let failed = try DriftlineBinary.run(["replay", "--file", tampered.path, "--topology", topology, "--verify"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("verify FAILED for \(model): first differing version: \(expected) "), "\(failed.stderr)")
    }
}

/// A slice written before actions were recorded (`"driftline_slice":1`, no `actions`) still
/// replays and verifies.
@Suite struct VersionOneSliceTests {
    @Test func aVersionOneSliceStillVerifies() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-slice-v1-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = """
            name: rp
            brokers: "127.0.0.1:9092"
            topics: {events: {name: rp.events, partitions: 1}}
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}, publish: {every_events: 300}}
            """
        let topologyURL = directory.appendingPathComponent("topology.yaml")
        try yaml.write(to: topologyURL, atomically: true, encoding: .utf8)
        let lines = try Fixtures.lines("phishing.jsonl")
        let records = lines.enumerated().map { index, line in
            ModelReplay.SliceRecord(topic: "rp.events", partition: 0, offset: Int64(index), value: Array(line.utf8))
        }
        let outcome = try ModelReplay.rebuild(topology: try Topology.parse(yaml: yaml), records: records)
        #expect(outcome.completed.map(\.version) == [1, 2, 3, 4])
        // The header exactly as the first `export` wrote it (JSONSerialization, sorted keys).
        let header: [String: Any] = [
            "driftline_slice": 1, "model": "rp", "version": 4,
            "versions": outcome.completed.map { document -> [String: Any] in
                [
                    "version": document.version, "content_hash": document.contentHash,
                    "training_offsets": document.trainingOffsets.map {
                        ["topic": $0.topic, "partition": $0.partition, "first": $0.first, "last": $0.last] as [String: Any]
                    },
                ]
            },
        ]
        var text = String(decoding: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), as: UTF8.self) + "\n"
        for record in records {
            let line: [String: Any] = [
                "topic": record.topic, "partition": 0, "offset": Int(record.offset),
                "value": String(decoding: record.value, as: UTF8.self),
            ]
            text += String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        let slice = directory.appendingPathComponent("slice.jsonl")
        try text.write(to: slice, atomically: true, encoding: .utf8)
        let replayed = try DriftlineBinary.run(["replay", "--file", slice.path, "--topology", topologyURL.path, "--verify"])
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.contains("verified: 4 versions match"), "\(replayed.stdout)")
        #expect(!replayed.stdout.contains("re-applying"))
    }
}
