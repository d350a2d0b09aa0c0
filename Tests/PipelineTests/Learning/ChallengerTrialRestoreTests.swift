import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// A running challenger trial is part of the learner's state: a learner restored from a
/// document taken mid-trial (encoded and decoded, as the models topic carries it) continues
/// the trial and publishes exactly the documents of an uninterrupted learner given the same
/// input and the same action positions.
@Suite struct ChallengerTrialRestoreTests {
    /// Also the learn stage's topology below; the learner tests here use only its model.
    static func yaml(lr: Double = 0.01) -> String {
        TopologyYAML.onePartition(
            name: "sine", lr: lr, everyEvents: 200, everySeconds: 1000, onDrift: "{action: challenger, trial: 500}")
    }

    /// The learner over `lines[range]`, starting the trial before `trialAt`; every completed
    /// document in order.
    static func run(
        _ learner: inout PrequentialLearner, _ lines: [String], _ range: Range<Int>, trialAt: Int
    ) throws -> [ModelDocument] {
        var documents: [ModelDocument] = []
        for index in range {
            if index == trialAt {
                let started = learner.startChallenger(length: 500, at: index, cause: .object(["action": .string("challenger_started")]))
                #expect(started)
            }
            let event = try JSONEventParser.parse(lines[index])
            let step = try learner.step(event, at: InputPosition(topic: "sine.events", partition: 0, offset: index), documents: true)
            documents += step.completed
        }
        return documents
    }

    @Test func aLearnerRestoredMidTrialPublishesTheUninterruptedDocuments() throws {
        let topology = try Topology.parse(yaml: Self.yaml())
        let configuration = try #require(topology.modelPipelineConfiguration())
        let lines = try Array(Fixtures.lines("sine_drift_100k.jsonl").prefix(21_400))
        let trialAt = 20_100, restartAt = 20_350

        var uninterrupted = PrequentialLearner(name: "sine", configuration: configuration, publishEvery: 200)
        let expected = try Self.run(&uninterrupted, lines, 0..<lines.count, trialAt: trialAt)
        // SGD(0.01) adapts slowly after the drift at 20000: the fresh challenger wins.
        #expect(uninterrupted.challengerOutcomes.map(\.promoted) == [true])

        var first = PrequentialLearner(name: "sine", configuration: configuration, publishEvery: 200)
        var documents = try Self.run(&first, lines, 0..<restartAt, trialAt: trialAt)
        #expect(first.isTrialRunning)
        let checkpoint = first.document
        let trial = try #require(checkpoint.lineage?["challenger_trial"])
        #expect(trial["events"]?.intValue == restartAt - trialAt)
        #expect(trial["length"]?.intValue == 500)
        let encoded = checkpoint.encoded()
        let decoded = try ModelDocument(decoding: encoded)
        #expect(decoded.contentHash == checkpoint.contentHash)

        var restored = try PrequentialLearner(restoring: decoded, publishEvery: 200)
        #expect(restored.isTrialRunning)
        #expect(restored.document.encoded() == encoded)
        documents += try Self.run(&restored, lines, restartAt..<lines.count, trialAt: -1)
        #expect(restored.challengerOutcomes.map(\.promoted) == [true])
        #expect(documents.map(\.contentHash) == expected.map(\.contentHash))
        #expect(restored.document.contentHash == uninterrupted.document.contentHash)
    }

    /// Without a running trial the lineage has no `challenger_trial`: such documents encode
    /// as they did before trials were checkpointed.
    @Test func aDocumentWithoutATrialHasNoTrialMember() throws {
        let topology = try Topology.parse(yaml: Self.yaml())
        let configuration = try #require(topology.modelPipelineConfiguration())
        var learner = PrequentialLearner(name: "sine", configuration: configuration, publishEvery: 200)
        let lines = try Array(Fixtures.lines("sine_drift_100k.jsonl").prefix(300))
        _ = try Self.run(&learner, lines, 0..<300, trialAt: -1)
        let lineage = try #require(learner.document.lineage?.objectValue)
        #expect(lineage.keys.sorted() == ["started_at_version", "started_by", "version_events"])
    }
}

/// The same through the learn stage on the driver: its partition is revoked mid-trial (it
/// publishes a checkpoint carrying the trial and the alerts read) and assigned again; the
/// restored task continues the trial and publishes the uninterrupted run's documents.
@Suite struct LearnStageTrialRestoreTests {
    static func completed(_ driver: TopologyTestDriver) throws -> [ModelDocument] {
        try StageTestSupport.models(driver, topic: "sine.models", key: "sine")
            .filter { StageTestSupport.header(ModelRecordHeaders.reason, $0.record) != "checkpoint" }.map(\.document)
    }

    @Test func aTaskRestoredMidTrialPublishesTheUninterruptedDocuments() throws {
        let topology = try Topology.parse(yaml: ChallengerTrialRestoreTests.yaml())
        let lines = try StageTestSupport.lines("sine_drift_100k.jsonl", limit: 22_000)

        let uninterrupted = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: uninterrupted, topic: "sine.events")
        try uninterrupted.close()
        let expected = try Self.completed(uninterrupted)
        let promotion = try #require(
            try StageTestSupport.models(uninterrupted, topic: "sine.models", key: "sine")
                .first { StageTestSupport.header(ModelRecordHeaders.reason, $0.record) == "promotion" }?.document)
        let applied = try #require(promotion.lineage?["started_by"]?["alert"]?["applied_at"]?["source"]?["offset"]?.intValue)
        // Restart 250 events into the trial, at a whole second of stream time (events are 10 ms
        // apart), so the restored task polls the alerts at the uninterrupted task's times.
        let restartAt = (applied + 250) / 100 * 100

        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines[..<restartAt], into: driver, topic: "sine.events")
        try driver.revoke(stage: "learn", topic: "sine.features", partition: 0)
        let checkpoint = try #require(try StageTestSupport.models(driver, topic: "sine.models", key: "sine").last)
        #expect(StageTestSupport.header(ModelRecordHeaders.reason, checkpoint.record) == "checkpoint")
        #expect(checkpoint.document.lineage?["challenger_trial"]?["events"]?.intValue ?? 0 > 0)
        // The alerts read so far (the one that started the trial at least) travel with it.
        let alertsRead = StageTestSupport.header(ModelRecordHeaders.alertsNextOffsets, checkpoint.record) ?? ""
        #expect(alertsRead.hasPrefix("sine.drift-alerts:0:") && alertsRead != "sine.drift-alerts:0:0", "\(alertsRead)")
        try driver.assign(stage: "learn", topic: "sine.features", partition: 0)
        try StageTestSupport.pipe(lines[restartAt...], into: driver, topic: "sine.events", startIndex: restartAt)
        try driver.close()

        let documents = try Self.completed(driver)
        #expect(documents.map(\.version) == expected.map(\.version))
        #expect(documents.map(\.contentHash) == expected.map(\.contentHash))
        #expect(documents.contains { $0.contentHash == promotion.contentHash })
    }
}

extension LearnStageTrialRestoreTests {
    /// After a trial that kept the champion, its alert is still "new" by version (the champion's
    /// lineage did not change): a task restored then must not read it again and start a second
    /// trial. The alerts read travel with every document (`driftline.alerts.next_offsets`).
    @Test func aTaskRestoredAfterALostTrialDoesNotApplyItsAlertAgain() throws {
        // SGD(0.2): the champion re-adapts fast enough after the drift at 20000 to keep its place.
        let topology = try Topology.parse(yaml: ChallengerTrialRestoreTests.yaml(lr: 0.2))
        let lines = try StageTestSupport.lines("sine_drift_100k.jsonl", limit: 25_000)

        let uninterrupted = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: uninterrupted, topic: "sine.events")
        try uninterrupted.close()
        let expected = try Self.completed(uninterrupted)
        #expect(!expected.contains { $0.lineage?["started_by"]?["action"]?.stringValue == "promote_challenger" })
        let lastTrial = try #require(expected.last { $0.lineage?["challenger_trial"] != nil })
        let applied = try #require(lastTrial.lineage?["challenger_trial"]?["cause"]?["applied_at"]?["source"]?["offset"]?.intValue)
        // Restart after that trial ended (500 events), at a whole second of stream time.
        let restartAt = (applied + 600) / 100 * 100 + 100

        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines[..<restartAt], into: driver, topic: "sine.events")
        try driver.revoke(stage: "learn", topic: "sine.features", partition: 0)
        let checkpoint = try #require(try StageTestSupport.models(driver, topic: "sine.models", key: "sine").last)
        #expect(checkpoint.document.lineage?["challenger_trial"] == nil)
        try driver.assign(stage: "learn", topic: "sine.features", partition: 0)
        try StageTestSupport.pipe(lines[restartAt...], into: driver, topic: "sine.events", startIndex: restartAt)
        try driver.close()

        let documents = try Self.completed(driver)
        #expect(!documents.contains { $0.lineage?["challenger_trial"]?["cause"]?["applied_at"]?["source"]?["offset"]?.intValue ?? 0 > applied })
        #expect(documents.map(\.contentHash) == expected.map(\.contentHash))
    }
}
