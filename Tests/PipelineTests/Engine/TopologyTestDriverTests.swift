import Kafka
import Pipeline
import Testing

/// The stage semantics, on the in-memory twin of the runner: forwarding, dead letters,
/// punctuations on both clocks, restore and checkpoint across reassignment and restarts.
@Suite struct TopologyTestDriverTests {
    static let topics = StageTopics(defaultsFor: "t")

    @Test func forwardsToNamedOutputsInOrder() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("upper", input: "in") { _ in UppercaseStage() }
        let header = KafkaHeader(name: "trace", string: "abc")
        try driver.pipe(StageRecord(key: "k1", value: "hello", headers: [header]), into: "in")
        try driver.pipe(key: "k2", value: "world", into: "in")
        let out = driver.readOutput(UppercaseStage.output)
        #expect(out.map(\.valueString) == ["HELLO", "WORLD"])
        #expect(out.map(\.keyString) == ["k1", "k2"])
        #expect(out[0].headers == [header])
        #expect(driver.readOutput(UppercaseStage.output).isEmpty, "readOutput consumes")
        #expect(driver.committedOffset(stage: "upper", topic: "in", partition: 0) == 2)
    }

    @Test func rejectedRecordsGoUnchangedToDeadLettersWithHeaders() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("upper", input: "in") { _ in UppercaseStage() }
        let original = KafkaHeader(name: "trace", string: "t-1")
        try driver.pipe(key: "a", value: "ok", into: "in")
        let bad = try driver.pipe(
            StageRecord(key: "b", value: "bad", headers: [original], timestampMilliseconds: 42), into: "in")
        try driver.pipe(key: "c", value: "", into: "in")
        try driver.pipe(key: "d", value: "warn", into: "in")
        try driver.pipe(key: "e", value: "after", into: "in")

        // The stage kept running; the forward made before the rejection was discarded, the
        // one before `deadLetter` kept.
        #expect(driver.records(in: UppercaseStage.output).map(\.valueString) == ["OK", "WARN", "AFTER"])
        let dead = driver.records(in: Self.topics.deadLetters)
        #expect(dead.map(\.keyString) == ["b", "c", "d"])
        let first = try #require(dead.first)
        #expect(first.value == bad.value)
        #expect(first.timestampMilliseconds == 42)
        #expect(first.headers.first == original, "original headers come first, unchanged")
        #expect(first.headers.map(\.name) == ["trace"] + DeadLetterHeaders.all)
        #expect(first.headers.string("driftline.stage") == "upper")
        #expect(first.headers.string("driftline.error") == "value 'bad' is not accepted")
        #expect(first.headers.string("driftline.source.topic") == "in")
        #expect(first.headers.string("driftline.source.partition") == "0")
        #expect(first.headers.string("driftline.source.offset") == "1")
        #expect(dead[1].headers.string("driftline.error") == "empty value")
        #expect(dead[1].isTombstone == false && dead[1].value.isEmpty)
        #expect(dead[2].headers.string("driftline.error") == "flagged for review")
        #expect(dead[2].headers.string("driftline.source.offset") == "3")
    }

    @Test func streamTimePunctuationFollowsInputTimestamps() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("count", input: "in") { _ in CountingStage(streamInterval: .milliseconds(10)) }
        for timestamp: Int64 in [0, 5, 10, 25, 26, 3, 39, 40] {
            try driver.pipe(key: nil, value: "x", into: "in", timestampMilliseconds: timestamp)
        }
        // Due at 10; 25 jumps over 20 and fires once; 3 is late and does not move stream time;
        // next due 30 fires at 39; 40 is the next due.
        let fired = driver.records(in: Self.topics.alerts).map(\.valueString)
        #expect(fired == ["10:3", "25:4", "39:7", "40:8"])
        // The wall clock never moves stream-time punctuations.
        try driver.advanceWallClock(by: .seconds(100))
        #expect(driver.records(in: Self.topics.alerts).count == 4)
    }

    @Test func wallClockPunctuationFollowsTheManualClock() throws {
        let driver = TopologyTestDriver(topics: Self.topics, wallClockMilliseconds: 1_000)
        driver.addStage("count", input: "in") { _ in CountingStage(wallInterval: .seconds(1)) }
        try driver.pipe(key: nil, value: "x", into: "in")  // assigns the task at 1 000: due at 2 000
        try driver.advanceWallClock(by: .milliseconds(500))
        #expect(driver.records(in: Self.topics.alerts).isEmpty)
        try driver.advanceWallClock(by: .milliseconds(600))  // 2 100
        try driver.pipe(key: nil, value: "y", into: "in")
        try driver.advanceWallClock(by: .milliseconds(2_500))  // 4 600: due 3 000 fires once
        try driver.advanceWallClock(by: .milliseconds(300))  // 4 900: next due is 5 000
        #expect(driver.records(in: Self.topics.alerts).map(\.valueString) == ["2100:1", "4600:2"])
    }

    @Test func revokeCheckpointsAndReassignRestores() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("count", input: "in") { _ in CountingStage() }
        for _ in 0..<3 { try driver.pipe(key: nil, value: "x", into: "in") }
        try driver.revoke(stage: "count", topic: "in", partition: 0)
        #expect(driver.tasks.isEmpty)
        #expect(driver.records(in: Self.topics.models).map(\.valueString) == ["3@3"])
        #expect(driver.readOutput(Self.topics.alerts).map(\.valueString) == ["revoked"])

        // Records arriving while unassigned wait for the next owner.
        try driver.pipe(key: nil, value: "x", into: "in")
        #expect(driver.committedOffset(stage: "count", topic: "in", partition: 0) == 3)
        try driver.assign(stage: "count", topic: "in", partition: 0)
        #expect(driver.committedOffset(stage: "count", topic: "in", partition: 0) == 4)
        try driver.restart()
        #expect(driver.readOutput(Self.topics.alerts).map(\.valueString) == ["shutdown"])
        try driver.pipe(key: nil, value: "x", into: "in")
        try driver.close()
        // 3 restored + 1 waiting, restarted with 4, then one more.
        #expect(driver.records(in: Self.topics.models).map(\.valueString) == ["3@3", "4@4", "5@5"])
    }

    @Test func lostPartitionsEmitNothing() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("count", input: "in") { _ in CountingStage() }
        try driver.pipe(key: nil, value: "x", into: "in")
        try driver.revoke(stage: "count", topic: "in", partition: 0, lost: true)
        #expect(driver.records(in: Self.topics.models).isEmpty)
        #expect(driver.records(in: Self.topics.alerts).isEmpty)
    }

    @Test func restoreMayResumeFromTheCheckpointedOffset() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.addStage("count", input: "in") { _ in CountingStage(resumesFromCheckpoint: true) }
        try driver.pipe(key: nil, value: "x", into: "in")
        try driver.pipe(key: nil, value: "x", into: "in")
        try driver.revoke(stage: "count", topic: "in", partition: 0)  // checkpoint "2@2"
        // Another owner handled two more records but its checkpoint is missing (crashed):
        try driver.pipe(key: nil, value: "x", into: "in")
        try driver.pipe(key: nil, value: "x", into: "in")
        driver.addStage("count-b", input: "in") { _ in CountingStage(resumesFromCheckpoint: true) }
        // count-b shares the models topic: it restores 2@2, resumes at offset 2, and counts 4
        // (from its own committed offset it would have counted 2 + 4).
        try driver.assign(stage: "count-b", topic: "in", partition: 0)
        try driver.close()
        #expect(driver.committedOffset(stage: "count-b", topic: "in", partition: 0) == 4)
        #expect(driver.records(in: Self.topics.models).map(\.valueString).last == "4@4")
    }

    @Test func partitionsGetOneTaskEachAndStagesChain() throws {
        let driver = TopologyTestDriver(topics: Self.topics)
        driver.createTopic("in", partitions: 3)
        driver.createTopic(UppercaseStage.output, partitions: 2)
        driver.addStage("upper", input: "in") { _ in UppercaseStage() }
        driver.addStage("count", input: UppercaseStage.output) { _ in CountingStage() }
        for index in 0..<30 { try driver.pipe(key: "key-\(index)", value: "v\(index)", into: "in") }
        #expect(driver.tasks.filter { $0.stage == "upper" }.map(\.partition) == [0, 1, 2])
        #expect(driver.tasks.filter { $0.stage == "count" }.map(\.partition) == [0, 1])
        try driver.close()
        let counts = driver.records(in: Self.topics.models).map { Int($0.valueString.split(separator: "@")[0])! }
        #expect(counts.reduce(0, +) == 30)
        // The same key always lands on the same partition.
        let upper = driver.records(in: UppercaseStage.output)
        for record in upper {
            #expect(upper.filter { $0.key == record.key }.allSatisfy { $0.partition == record.partition })
        }
    }
}
