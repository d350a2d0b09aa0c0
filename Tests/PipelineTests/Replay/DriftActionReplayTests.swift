import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// Replay of models whose lineage was changed by `on_drift`: the retraining loop runs on the
/// driver (detect raises concept alerts on the sine stream's drift, the learner acts on them),
/// then every version is rebuilt from offset 0 with the actions its documents record,
/// re-applied at their recorded positions — bit for bit — and a tampered record is named by
/// the first version it affects.
@Suite struct DriftActionReplayTests {
    static func yaml(lr: Double = 0.1, everyEvents: Int = 1000, onDrift: String = "reset") -> String {
        TopologyYAML.onePartition(name: "sine", lr: lr, everyEvents: everyEvents, everySeconds: 1000, onDrift: onDrift)
    }

    struct Run {
        var lineage: ModelLineage
        var events: [KafkaConsumerRecord]
        var final: ModelDocument
        var actions: [RecordedDriftAction]
        var recorded: [(version: Int, hash: String, ranges: [TrainingOffsetRange])]
        var slice: [ModelReplay.SliceRecord]
    }

    static func run(_ yaml: String, lines: Int) throws -> Run {
        let topology = try Topology.parse(yaml: yaml)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(try StageTestSupport.lines("sine_drift_100k.jsonl", limit: lines), into: driver, topic: "sine.events")
        try driver.close()
        let lineage = try ModelLineage(key: "sine", records: driver.records(in: "sine.models"))
        let final = try #require(lineage.entries.last?.document)
        let actions = lineage.actions(upTo: final.version)
        let documents = lineage.entries.map(\.document)
        let events = driver.records(in: "sine.events")
        let slice = ModelReplay.slice(events, ranges: ModelReplay.inputRanges(documents: documents, actions: actions))
        let recorded = documents.map { (version: $0.version, hash: $0.contentHash, ranges: $0.trainingOffsets) }
        return Run(lineage: lineage, events: events, final: final, actions: actions, recorded: recorded, slice: slice)
    }

    /// Flips the label of the slice record at `offset`.
    static func tamper(_ slice: [ModelReplay.SliceRecord], offset: Int) throws -> [ModelReplay.SliceRecord] {
        var slice = slice
        let index = try #require(slice.firstIndex { $0.offset == Int64(offset) })
        let text = String(decoding: slice[index].value, as: UTF8.self)
        let flipped = text.contains(#""y":1"#)
            ? text.replacingOccurrences(of: #""y":1"#, with: #""y":0"#)
            : text.replacingOccurrences(of: #""y":0"#, with: #""y":1"#)
        #expect(flipped != text)
        slice[index].value = Array(flipped.utf8)
        return slice
    }

    /// The first version whose training offsets contain `offset`.
    static func version(containing offset: Int, in run: Run) -> Int? {
        run.recorded.first { $0.ranges.contains { $0.first <= offset && offset <= $0.last } }?.version
    }

    @Test func resetLineagesReplayBitForBitAndATamperedRecordIsNamed() throws {
        let run = try Self.run(Self.yaml(), lines: 45_000)
        let resets = run.actions.filter { if case .reset(.model) = $0.kind { true } else { false } }
        #expect(resets.count >= 2, "resets: \(run.actions)")
        #expect(run.actions.count == resets.count)
        for reset in resets {
            // Where it took effect: before the next features record and the next event.
            #expect(reset.position.features.topic == "sine.features")
            #expect(reset.position.source.topic == "sine.events")
            #expect(reset.position.source.offset == reset.position.features.offset)
            #expect(reset.cause["alert_position"]?["topic"]?.stringValue == "sine.drift-alerts")
        }
        #expect(run.final.lineage?["started_by"]?["applied_at"] != nil)
        // The replay reads from the first event, not from the final version's first offset.
        #expect(run.slice.first?.offset == 0)
        #expect(try #require(run.final.trainingOffsets.first).first > 20_000)

        let topology = try Topology.parse(yaml: Self.yaml())
        let outcome = try ModelReplay.rebuild(topology: topology, records: run.slice, actions: run.actions)
        let mismatch = ModelReplay.firstMismatch(outcome: outcome, recorded: run.recorded, upTo: run.final.version)
        #expect(mismatch == nil, "\(mismatch ?? "")")
        #expect(outcome.document(version: run.final.version)?.contentHash == run.final.contentHash)

        // Without the recorded actions the replay already differs at the version the first
        // reset completed (its version in progress, cut short by the reset).
        let plain = try ModelReplay.rebuild(topology: topology, records: run.slice)
        let firstReset = try #require(run.lineage.entries.first { $0.reason == "reset" }?.document.version)
        let plainMismatch = try #require(ModelReplay.firstMismatch(outcome: plain, recorded: run.recorded, upTo: run.final.version))
        #expect(plainMismatch.hasPrefix("first differing version: \(firstReset - 1) "), "\(plainMismatch)")

        // A record after the last reset, flipped: the version that learned it is named.
        let offset = try #require(run.final.trainingOffsets.first).first + 10
        let expected = try #require(Self.version(containing: offset, in: run))
        let tampered = try ModelReplay.rebuild(
            topology: topology, records: try Self.tamper(run.slice, offset: offset), actions: run.actions)
        let message = try #require(ModelReplay.firstMismatch(outcome: tampered, recorded: run.recorded, upTo: run.final.version))
        #expect(message.hasPrefix("first differing version: \(expected) "), "\(message)")
    }

    @Test func promotedChallengersReplayBitForBit() throws {
        // SGD(0.01) adapts slowly: after the drift at 20000 a fresh challenger beats the champion.
        let yaml = Self.yaml(lr: 0.01, everyEvents: 200, onDrift: "{action: challenger, trial: 500}")
        let run = try Self.run(yaml, lines: 24_000)
        // Versions completed while the trial ran carry it (lineage.challenger_trial).
        #expect(run.lineage.entries.contains { $0.document.lineage?["challenger_trial"] != nil })
        let promotion = try #require(run.lineage.entries.first { $0.reason == "promotion" }?.document)
        let trialCause = try #require(promotion.lineage?["started_by"]?["alert"])
        #expect(trialCause["applied_at"]?["source"]?["offset"]?.intValue ?? 0 > 20_000)
        #expect(trialCause["trial_length"]?.intValue == 500)
        let trials = run.actions.filter { if case .challenger(length: 500, _) = $0.kind { true } else { false } }
        #expect(!trials.isEmpty)
        #expect(trials.count == run.actions.count)

        let topology = try Topology.parse(yaml: yaml)
        let outcome = try ModelReplay.rebuild(topology: topology, records: run.slice, actions: run.actions)
        let mismatch = ModelReplay.firstMismatch(outcome: outcome, recorded: run.recorded, upTo: run.final.version)
        #expect(mismatch == nil, "\(mismatch ?? "")")

        let plain = try ModelReplay.rebuild(topology: topology, records: run.slice)
        #expect(ModelReplay.firstMismatch(outcome: plain, recorded: run.recorded, upTo: run.final.version) != nil)

        // A record the promoted challenger learned in its trial, flipped: the promoted version
        // (the champion's versions never saw the challenger's losses) differs first — or the
        // champion's version that learned it too, whichever is older.
        let offset = try #require(promotion.trainingOffsets.first).first + 100
        let expected = try #require(Self.version(containing: offset, in: run))
        let tampered = try ModelReplay.rebuild(
            topology: topology, records: try Self.tamper(run.slice, offset: offset), actions: run.actions)
        let message = try #require(ModelReplay.firstMismatch(outcome: tampered, recorded: run.recorded, upTo: run.final.version))
        #expect(message.hasPrefix("first differing version: \(expected) "), "\(message)")
    }
}
