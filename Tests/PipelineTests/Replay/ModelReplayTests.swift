import Foundation
import OnlineML
import Pipeline
import Testing
import TestSupport

/// Replay without a broker: the learner over a slice at the recorded positions rebuilds
/// `driftline evaluate`'s versions bit for bit, and a changed record is named by version.
struct ModelReplayTests {
    static let yaml = """
        name: rp
        brokers: "127.0.0.1:9092"
        topics:
          events: {name: rp.events, partitions: 1}
          features: rp.features
          predictions: rp.predictions
          models: rp.models
          alerts: rp.alerts
          dead_letters: rp.dlq
        schema: {target: y}
        stages:
          transform: {scale: standard}
          learn:
            model: logistic_regression
            optimizer: {name: sgd, lr: 0.1}
            publish: {every_events: 300}
        """

    static func slice(_ lines: [String]) -> [ModelReplay.SliceRecord] {
        lines.enumerated().map { index, line in
            ModelReplay.SliceRecord(topic: "rp.events", partition: 0, offset: Int64(index), value: Array(line.utf8))
        }
    }

    @Test func aReplayedSliceRebuildsEvaluatesVersionsBitForBit() throws {
        let topology = try Topology.parse(yaml: Self.yaml)
        let lines = try Fixtures.lines("phishing.jsonl")
        var evaluation = PrequentialEvaluation(topology: topology)
        for line in lines { _ = evaluation.process(try JSONEventParser.parse(line)) }
        let expected = try #require(evaluation.modelDocument)

        let outcome = try ModelReplay.rebuild(topology: topology, records: Self.slice(lines))
        #expect(outcome.completed.map(\.version) == [1, 2, 3, 4])
        let rebuilt = try #require(outcome.document(version: expected.version))
        #expect(rebuilt.contentHash == expected.contentHash)
        #expect(rebuilt.trainingOffsets == expected.trainingOffsets)
    }

    @Test func aChangedRecordIsNamedByTheFirstVersionItAffects() throws {
        let topology = try Topology.parse(yaml: Self.yaml)
        let lines = try Fixtures.lines("phishing.jsonl")
        let honest = try ModelReplay.rebuild(topology: topology, records: Self.slice(lines))
        let recorded = honest.completed.map { (version: $0.version, hash: $0.contentHash, ranges: $0.trainingOffsets) }
        #expect(ModelReplay.firstMismatch(outcome: honest, recorded: recorded, upTo: 4) == nil)

        var tampered = lines
        tampered[700] = tampered[700].contains(#""y":1"#)
            ? tampered[700].replacingOccurrences(of: #""y":1"#, with: #""y":0"#)
            : tampered[700].replacingOccurrences(of: #""y":0"#, with: #""y":1"#)
        #expect(tampered[700] != lines[700])
        let outcome = try ModelReplay.rebuild(topology: topology, records: Self.slice(tampered))
        let message = try #require(ModelReplay.firstMismatch(outcome: outcome, recorded: recorded, upTo: 4))
        // Offset 700 is the 701st learned event: inside version 3 (events 601...900).
        #expect(message.hasPrefix("first differing version: 3 "), "\(message)")
        #expect(message.contains("rp.events[0] 0...899"), "\(message)")
    }
}
