import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// The built-in stages on the in-memory driver: transform → learn → detect over phishing,
/// bit-identical to `driftline evaluate`, with versions, restarts and dead letters.
@Suite struct BuiltInStagesTests {
    static let phishingYAML = TopologyYAML.onePartition(name: "phishing", lr: 0.1, everyEvents: 300, everySeconds: 2)

    static func phishing() throws -> Topology { try Topology.parse(yaml: phishingYAML) }

    @Test func phishingChainMatchesEvaluateBitForBit() throws {
        let topology = try Self.phishing()
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let evaluation = StageTestSupport.evaluate(topology, lines: lines)
        let expected = try #require(evaluation.modelDocument)

        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "phishing.events")
        try driver.close()

        let models = try StageTestSupport.models(driver, topic: "phishing.models", key: "phishing")
        let final = try #require(models.last?.document)
        #expect(final.contentHash == expected.contentHash)
        #expect(final.version == expected.version)
        #expect(final.pipeline.learner.weights.allSatisfy { $0.isFinite })

        // Predictions: one per event, scored like evaluate's metrics.
        let predictions = try driver.records(in: "phishing.predictions").map { try PredictionRecord(decoding: $0.value) }
        #expect(predictions.count == 1250)
        #expect(predictions.map(\.source.offset) == (0..<1250).map(Int64.init))
        let correct = predictions.filter { $0.error == 0 }.count
        let accuracy = Double(correct) / Double(predictions.count)
        #expect(accuracy == evaluation.scores?.value("accuracy"))
        let logLoss = predictions.compactMap(\.loss).reduce(0, +) / Double(predictions.count)
        #expect(logLoss.isApproximatelyEqual(to: try #require(evaluation.scores?.value("logloss")), relativeTolerance: 1e-12))
        // The first predictions come from version 0 (no model yet); later ones from versions in progress.
        #expect(predictions.first?.modelVersion == 0)
        #expect(predictions.last?.modelVersion == final.version)

        // The detect stage saw the same error stream as evaluate's in-line detector.
        let alerts = try driver.records(in: "phishing.drift-alerts").map {
            try CanonicalJSON.parse(String(decoding: $0.value, as: UTF8.self))
        }
        #expect(alerts.compactMap { $0["position"]?["source"]?["offset"]?.intValue } == evaluation.detections.map(\.index))

        // Features carry the event as it was sent, its label and lineage (compact version 2).
        let featureRecords = driver.records(in: "phishing.features")
        let features = try featureRecords.map { try FeaturesRecord(decoding: $0.value) }
        #expect(features.count == 1250)
        #expect(features[5].label != nil && features[5].source.offset == 5)
        #expect(features[5].event == (try JSONEventParser.parse(lines[5])))
        let text = String(decoding: featureRecords[5].value, as: UTF8.self)
        #expect(text.hasPrefix("{\"event\":" + lines[5].trimmingCharacters(in: .whitespaces) + ",\"format\":\"driftline.features\",\"format_version\":2,"))
    }

    @Test func versionsAreMonotonicWithParentsAndOffsetRanges() throws {
        let topology = try Self.phishing()
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines, into: driver, topic: "phishing.events")
        try driver.close()
        let models = try StageTestSupport.models(driver, topic: "phishing.models", key: "phishing")
        #expect(models.count >= 5)
        var previous = 0
        for (record, document) in models {
            #expect(document.version >= previous)
            #expect(document.parentVersion == (document.version > 1 ? document.version - 1 : nil))
            previous = document.version
            let range = try #require(document.trainingOffsets.first)
            #expect(range.topic == "phishing.events" && range.partition == 0 && range.first == 0)
            #expect(range.last + 1 == document.pipeline.eventsLearned)
            let next = try #require(StageTestSupport.header(ModelRecordHeaders.inputNextOffset, record))
            #expect(Int(next)! >= range.last + 1)
        }
        // Completed versions every 300 learned events: 1…4, then the final one in progress.
        let completed = models.filter { StageTestSupport.header(ModelRecordHeaders.reason, $0.record) == "version" }
        #expect(completed.map(\.document.version) == [1, 2, 3, 4])
        #expect(completed.map { $0.document.trainingOffsets[0].last } == [299, 599, 899, 1199])
        #expect(models.last?.document.version == 5)
        #expect(models.last?.document.lineage?["version_events"]?.intValue == 50)
    }

    @Test(arguments: ["restart", "lost"])
    func learnerRestartResumesWithoutLossAndTheSameHash(mode: String) throws {
        let topology = try Self.phishing()
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let expected = try #require(StageTestSupport.evaluate(topology, lines: lines).modelDocument)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines[..<700], into: driver, topic: "phishing.events")
        if mode == "restart" {
            try driver.restart(stage: "learn")
            try StageTestSupport.pipe(lines[700...], into: driver, topic: "phishing.events", startIndex: 700)
        } else {
            // A crash: no checkpoint; the committed offset is past the last published version.
            try driver.revoke(stage: "learn", topic: "phishing.features", partition: 0, lost: true)
            try StageTestSupport.pipe(lines[700..<900], into: driver, topic: "phishing.events", startIndex: 700)
            try driver.assign(stage: "learn", topic: "phishing.features", partition: 0)
            try StageTestSupport.pipe(lines[900...], into: driver, topic: "phishing.events", startIndex: 900)
        }
        try driver.close()
        let final = try #require(try StageTestSupport.models(driver, topic: "phishing.models", key: "phishing").last)
        #expect(final.document.contentHash == expected.contentHash)
        let predicted = Set(try driver.records(in: "phishing.predictions").map { try PredictionRecord(decoding: $0.value).source.offset })
        #expect(predicted == Set((0..<1250).map(Int64.init)), "every event predicted at least once")
    }

    @Test func transformRestartRestoresFromTheModelTopicAndDuplicatesAreSkipped() throws {
        let topology = try Self.phishing()
        let lines = try StageTestSupport.lines("phishing.jsonl")
        let expected = try #require(StageTestSupport.evaluate(topology, lines: lines).modelDocument)
        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(lines[..<650], into: driver, topic: "phishing.events")
        try driver.restart(stage: "transform")
        try StageTestSupport.pipe(lines[650...], into: driver, topic: "phishing.events", startIndex: 650)
        try driver.close()
        let features = try driver.records(in: "phishing.features").map { try FeaturesRecord(decoding: $0.value) }
        #expect(features.count > 1250, "the transform repeated the events after the last published version")
        // Repeated features records are identical to the first ones.
        var firstBySource: [Int64: FeaturesRecord] = [:]
        for record in features {
            if let first = firstBySource[record.source.offset] { #expect(first == record) } else { firstBySource[record.source.offset] = record }
        }
        let final = try #require(try StageTestSupport.models(driver, topic: "phishing.models", key: "phishing").last)
        #expect(final.document.contentHash == expected.contentHash)
        #expect(driver.records(in: "phishing.predictions").count == 1250)
    }

    @Test func malformedRecordsGoToTheDeadLetterTopicAndChangeNothing() throws {
        let topology = try Self.phishing()
        let good = try StageTestSupport.lines("phishing.jsonl")
        let bad = [
            "{not json", "[1,2,3]", "{\"https\":\"yes\",\"y\":1}", "{\"https\":1e400,\"y\":1}",
            "{\"https\":{\"nested\":1},\"y\":1}", "{\"https\":1,\"https\":2,\"y\":1}", "{\"https\":1,\"y\":0.7}",
            "{\"https\":1,\"y\":\"maybe\"}", "", "{\"https\":1e200,\"y\":1}",
        ]
        var mixed: [String] = []
        var badCount = 0
        for (index, line) in good.enumerated() {
            mixed.append(line)
            for k in 0..<8 {
                mixed.append(bad[(index + k) % bad.count])
                badCount += 1
            }
        }
        let oversized = "{\"pad\":\"" + String(repeating: "x", count: BuiltInStages.maxRecordBytes) + "\"}"
        mixed.insert(oversized, at: 5000)
        badCount += 1
        let evaluation = StageTestSupport.evaluate(topology, lines: mixed)

        let driver = try TopologyTestDriver(topology: topology)
        try StageTestSupport.pipe(mixed, into: driver, topic: "phishing.events")
        try driver.close()
        let dead = driver.records(in: "phishing.dlq")
        #expect(badCount >= 10_000)
        #expect(dead.count == badCount)
        #expect(dead.allSatisfy { StageTestSupport.header(DeadLetterHeaders.error, $0)?.isEmpty == false })
        #expect(dead.allSatisfy { StageTestSupport.header(DeadLetterHeaders.stage, $0) == "transform" })
        #expect(dead.contains { StageTestSupport.header(DeadLetterHeaders.error, $0)?.contains("exceeds") == true })
        #expect(driver.records(in: "phishing.predictions").count == 1250)
        let final = try #require(try StageTestSupport.models(driver, topic: "phishing.models", key: "phishing").last)
        #expect(final.document.pipeline.learner.weights.allSatisfy { $0.isFinite })
        #expect(final.document.pipeline.learner.intercept.isFinite)
        // Evaluate rejects the same records (it has no size limit; the oversized event is
        // unlabelled, so it changes nothing there either): the same model.
        #expect(final.document.contentHash == evaluation.modelDocument?.contentHash)
    }

    @Test func anEventWhoseFeaturesWouldBeTooLargeIsDeadLettered() throws {
        let driver = try TopologyTestDriver(topology: try Self.phishing())
        // Valid UTF-8 is copied as it is: 480 KB of category fits in a features record.
        let big = "{\"https\":1,\"y\":1,\"pad\":\"" + String(repeating: "x", count: 480_000) + "\"}"
        try driver.pipe(key: nil, value: big, into: "phishing.events")
        // Invalid UTF-8 is written out from the parsed event, whose repaired strings are three
        // times longer (each bad byte becomes U+FFFD): over the output limit.
        let bad = Array("{\"https\":1,\"y\":1,\"pad\":\"".utf8) + [UInt8](repeating: 0xFF, count: 480_000) + Array("\"}".utf8)
        _ = try driver.pipe(StageRecord(key: nil, value: bad), into: "phishing.events")
        try driver.pipe(key: nil, value: "{\"https\":1,\"y\":1}", into: "phishing.events")
        let dead = driver.records(in: "phishing.dlq")
        #expect(dead.count == 1)
        #expect(dead.first?.value == bad)
        #expect(dead.first.flatMap { StageTestSupport.header(DeadLetterHeaders.error, $0) }?.contains("output limit") == true)
        #expect(driver.records(in: "phishing.predictions").count == 2)
    }

    @Test func anEventThatIsNotValidUTF8IsWrittenOutAsValidJSON() throws {
        let driver = try TopologyTestDriver(topology: try Self.phishing())
        let bad = Array("{\"https\":1,\"y\":1,\"note\":\"caf".utf8) + [0xE9] + Array("\"}".utf8)
        _ = try driver.pipe(StageRecord(key: nil, value: bad), into: "phishing.events")
        let value = try #require(driver.records(in: "phishing.features").first?.value)
        #expect(String(validating: value, as: UTF8.self) != nil)
        let record = try FeaturesRecord(decoding: value)
        #expect(record.event == (try JSONEventParser.parse(bad)))
        #expect(record.event["note"] == .string("caf\u{FFFD}"))
        #expect(driver.records(in: "phishing.predictions").count == 1)
    }

    @Test func badRecordsOnLaterTopicsAreDeadLetteredByTheirStage() throws {
        let driver = try TopologyTestDriver(topology: try Self.phishing())
        try driver.pipe(key: nil, value: "{\"not\":\"features\"}", into: "phishing.features")
        try driver.pipe(key: nil, value: "garbage", into: "phishing.predictions")
        let dead = driver.records(in: "phishing.dlq")
        #expect(dead.map { StageTestSupport.header(DeadLetterHeaders.stage, $0) } == ["learn", "detect"])
    }
}
