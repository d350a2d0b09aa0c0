import Foundation
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The offline prequential chain through its library API (what `driftline evaluate` runs).
@Suite struct PrequentialEvaluationTests {
    private func topology(_ yaml: String) throws -> Topology {
        try Topology.parse(yaml: yaml, file: "test.yaml")
    }

    private func fixture(_ name: String, limit: Int? = nil) throws -> [InputRecord] {
        let records = try EventFileReader.read(contentsOf: Fixtures.url(name), format: .jsonl)
        return limit.map { Array(records.prefix($0)) } ?? records
    }

    private static let phishingSGD = """
        name: phishing
        schema: {target: y}
        stages:
          transform: {scale: standard}
          learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1}}
        """

    @Test func phishingMatchesRiverThroughTheAPI() throws {
        var evaluation = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        let summary = evaluation.run(try fixture("phishing.jsonl"))
        #expect(summary.events == 1250)
        #expect(summary.labelled == 1250)
        #expect(summary.rejections.count == 0)
        #expect(abs(try #require(summary.metric("accuracy")) - 0.889600) <= 1e-6)
        #expect(abs(try #require(summary.metric("logloss")) - 0.270594) <= 1e-6)
        let model = try #require(summary.model)
        #expect(abs(model.intercept - -0.400498) <= 1e-6)
        let popup = try #require(model.weights.first(where: { $0.name == "popup_window" })?.weight)
        #expect(abs(popup - -1.9129723543042834) <= 1e-9 * 1.9129723543042834)
        #expect(model.eventsLearned == 1250)
        // every_events defaults to 1000: one version at 1000 events, one final snapshot.
        #expect(model.version == 2)
        #expect(model.contentHash.hasPrefix("sha256:"))
    }

    @Test func sameInputGivesTheSameModelHash() throws {
        let records = try fixture("phishing.jsonl")
        var first = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        var second = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        let a = first.run(records)
        let b = second.run(records)
        #expect(a.model?.contentHash == b.model?.contentHash)
        #expect(first.modelDocument?.encoded() == second.modelDocument?.encoded())
    }

    /// Bad records are counted with their reason and first line, and change nothing: the model
    /// trained around them is bit-identical to one trained without them.
    @Test func badRecordsAreRejectedAndChangeNothing() throws {
        let good = try Fixtures.lines("phishing.jsonl").prefix(200)
        var mixed = Array(good)
        mixed.insert("{not json", at: 10)
        mixed.insert(#"{"https": 1.0, "y": 7}"#, at: 50)
        mixed.insert(#"{"https": "yes", "y": 1}"#, at: 100)
        mixed.insert("{broken too", at: 150)
        let withBad = try EventFileReader.records(in: mixed.joined(separator: "\n"), format: .jsonl)
        let clean = try EventFileReader.records(in: good.joined(separator: "\n"), format: .jsonl)

        var dirtyRun = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        var cleanRun = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        let dirty = dirtyRun.run(withBad)
        let reference = cleanRun.run(clean)

        #expect(dirty.events == 204)
        #expect(dirty.labelled == 200)
        #expect(dirty.rejections.count == 4)
        let entries = dirty.rejections.entries
        #expect(entries.count == 3)
        #expect(entries.first?.firstLine == 11)
        #expect(entries.first?.reason.hasPrefix("malformed JSON") == true)
        let malformed = entries.filter { $0.reason.hasPrefix("malformed JSON") }.map(\.count).reduce(0, +)
        #expect(malformed == 2)
        #expect(entries.contains { $0.reason.contains("target field 'y' is invalid") && $0.firstLine == 51 })
        #expect(entries.contains { $0.reason.contains("'https'") && $0.firstLine == 101 })
        // Same learned state bit for bit (the documents differ only in their training offsets,
        // which count the rejected records too).
        let dirtyModel = try #require(dirtyRun.model)
        let cleanModel = try #require(cleanRun.model)
        #expect(dirtyModel.learner.weights == cleanModel.learner.weights)
        #expect(dirtyModel.learner.intercept == cleanModel.learner.intercept)
        #expect(dirtyModel.transformer == cleanModel.transformer)
        #expect(dirtyModel.eventsLearned == 200)
        #expect(dirty.metric("accuracy") == reference.metric("accuracy"))
        #expect(dirty.metric("logloss") == reference.metric("logloss"))
        #expect(dirtyRun.modelDocument?.trainingOffsets.first?.last == 203)
    }

    @Test func unlabelledEventsArePredictedButNotLearned() throws {
        var evaluation = PrequentialEvaluation(topology: try topology(Self.phishingSGD))
        let records = try fixture("phishing.jsonl", limit: 100)
        _ = evaluation.run(records)
        let weightsBefore = evaluation.model?.namedWeights.map(\.weight)
        let step = evaluation.process(Event(["https": .number(1), "popup_window": .number(0.5)]))
        #expect(step.probability != nil)
        #expect(step.label == nil)
        #expect(step.loss == nil)
        #expect(evaluation.summary.labelled == 100)
        #expect(evaluation.summary.events == 101)
        #expect(evaluation.model?.namedWeights.map(\.weight) == weightsBefore)
    }

    /// `reset` with scope `model` keeps the scaler's statistics; scope `pipeline` restarts them.
    @Test(arguments: ["model", "pipeline"])
    func resetScope(scope: String) throws {
        let topology = try topology("""
            name: sine
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.1},
                      on_drift: {action: reset, scope: \(scope)}}
              detect: {concept: {detector: adwin, delta: 0.002, input: error}}
            """)
        var evaluation = PrequentialEvaluation(topology: topology)
        let summary = evaluation.run(try fixture("sine_drift_100k.jsonl", limit: 25_000))
        #expect(summary.detectionIndices == [20031])
        #expect(summary.resets == 1)
        #expect(summary.detections.first?.action == "reset_\(scope)")
        #expect(summary.detections.first?.evidence.detector == "adwin")
        let statistics = try #require(evaluation.model?.transformer.statistics(of: "0"))
        // The alarm came after learning event 20031, so a pipeline reset forgets 20032 events.
        #expect(statistics.count == (scope == "model" ? 25_000 : 25_000 - 20_032))
        #expect(evaluation.model?.eventsLearned == (scope == "model" ? 25_000 : 25_000 - 20_032))
        let document = try #require(evaluation.modelDocument)
        #expect(document.trainingOffsets.first?.first == 20_032)
        #expect(document.trainingOffsets.first?.last == 24_999)
    }

    @Test func detectOnlyTopologyOnARawField() throws {
        let topology = try topology("""
            name: numeric
            stages:
              detect: {concept: {detector: adwin, delta: 0.002, input: {field: x}}}
            """)
        var evaluation = PrequentialEvaluation(topology: topology)
        var records = try fixture("numeric_drift_50k.jsonl", limit: 12_000)
        records.insert(InputRecord(line: 0, content: .success(Event(["y": .number(1)]))), at: 5)
        let summary = evaluation.run(records)
        // One record without x is rejected and shifts later indices by one.
        #expect(summary.rejections.count == 1)
        #expect(summary.rejections.entries.first?.reason.contains("field 'x'") == true)
        #expect(summary.detectionIndices == [10016])
        #expect(summary.detections.first?.evidence.position == 10015)
        #expect(summary.model == nil)
        #expect(evaluation.modelDocument == nil)
    }

    @Test func dataDriftMonitorReportsTheShiftedFeature() throws {
        let topology = try topology("""
            name: numeric
            stages:
              detect: {data: {test: ks, reference: 5000, window: 1000, alpha: 0.001}}
            """)
        var evaluation = PrequentialEvaluation(topology: topology)
        let summary = evaluation.run(try fixture("numeric_drift_50k.jsonl", limit: 12_000))
        let first = try #require(summary.detections.first)
        #expect(first.evidence.kind == .data)
        #expect(first.evidence.feature == "x")
        #expect(first.evidence.detector == "ks")
        #expect((10_000..<11_000).contains(first.index))
        #expect(first.evidence.pValue.map { $0 < 0.001 } == true)
    }

    @Test func errorInputForRegressionIsTheAbsoluteError() throws {
        let topology = try topology("""
            name: trump
            schema: {target: y}
            stages:
              transform: {scale: standard}
              learn: {model: linear_regression}
              detect: {concept: {detector: page_hinkley, input: loss}}
            """)
        var evaluation = PrequentialEvaluation(topology: topology)
        var steps: [EvaluationStep] = []
        let summary = evaluation.run(try fixture("trump_approval.jsonl")) { steps.append($0) }
        #expect(abs(try #require(summary.metric("mae")) - 1.314548) <= 1e-6)
        // Loss input: each step's loss is its squared error.
        let step = steps[500]
        let prediction = try #require(step.prediction)
        let label = try #require(step.label)
        #expect(step.loss == (label - prediction) * (label - prediction))
        #expect(step.probability == nil)
        // Every alarm is the detector's and lands on its own step.
        for detection in summary.detections {
            #expect(steps[detection.index].alarms.first?.detector == "page_hinkley")
        }
    }
}

/// `on_drift: challenger`: a challenger trained from zero beside the champion replaces it only
/// when its mean loss over the trial is lower.
@Suite struct ChallengerEvaluationTests {
    @Test func challengerIsPromotedOnlyWhenBetter() throws {
        let topology = try Topology.parse(yaml: """
            name: sine
            schema: {target: y, time: t}
            stages:
              transform: {scale: standard}
              learn: {model: logistic_regression, optimizer: {name: sgd, lr: 0.01},
                      on_drift: {action: challenger, trial: 500}}
              detect: {concept: {detector: adwin, delta: 0.002, input: error}}
            """)
        var records = try EventFileReader.read(contentsOf: Fixtures.url("sine_drift_100k.jsonl"), format: .jsonl)
        records = Array(records.prefix(25_000))
        for index in records.indices {
            if case .success(var event) = records[index].content {
                event.append("t", .number(Double(index) / 10))
                records[index].content = .success(event)
            }
        }
        var evaluation = PrequentialEvaluation(topology: topology)
        let summary = evaluation.run(records)

        let first = try #require(summary.challengers.first)
        // After the true drift at 20000 the old model is badly wrong; the challenger wins.
        #expect(first.startedAt == 20031)
        #expect(first.decidedAt == 20531)
        #expect(first.events == 500)
        #expect(first.promoted)
        #expect(first.challengerMeanLoss < first.championMeanLoss)
        #expect(summary.detections.first?.action == "challenger_started")
        #expect(summary.detections.first?.time == .number(2003.1))
        // A later alarm within the same concept: the adapted champion stays.
        let later = summary.challengers.dropFirst()
        #expect(!later.isEmpty)
        #expect(later.allSatisfy { !$0.promoted && $0.challengerMeanLoss >= $0.championMeanLoss })
        // The promoted model's lineage starts right after the alarm.
        #expect(evaluation.modelDocument?.trainingOffsets.first?.first == 20032)
        #expect(summary.resets == 0)
    }
}
