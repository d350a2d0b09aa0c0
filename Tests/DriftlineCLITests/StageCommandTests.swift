import Dispatch
import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// `driftline stage` as separate processes (the built binary) over the embedded broker hosted
/// in this test process: transform, learn and detect over a phishing stream with bad records.
@Suite(.serialized) struct StageCommandTests {
    @Test func threeStageProcessesMatchEvaluate() async throws {
        let broker = try TestBroker(.embedded)
        let fixture = try PipelineFixture(
            prefix: "ph", broker: broker, stages: TopologyYAML.stages(lr: 0.1, everyEvents: 300, everySeconds: 1))
        defer { fixture.cleanUp() }
        let name = fixture.name

        var lines = try Fixtures.lines("phishing.jsonl")
        let bad = ["{broken", "{\"https\":\"text\",\"y\":1}", "{\"https\":1,\"y\":0.5}", "[]"]
        for k in 0..<20 { lines.insert(bad[k % bad.count], at: 50 * k + 7) }
        let expected = try fixture.evaluate(lines)

        let processes = try ["transform", "learn", "detect"].map { stage in
            try StageProcess(stage: stage, topology: fixture.topologyURL.path, directory: fixture.directory)
        }
        defer { for process in processes { process.kill() } }

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: producerConfiguration)
        let base = Int64(Date().timeIntervalSince1970 * 1000)
        for (index, line) in lines.enumerated() {
            try producer.enqueue(
                topic: "\(name).events", key: nil, value: Array(line.utf8),
                timestampMilliseconds: base + Int64(index) * 10, deliveryTag: UInt64(index))
        }
        try await producer.flush(timeout: .seconds(30))
        producer.close()

        let deadline = ContinuousClock.now + .seconds(120)
        var predicted = Set<Int64>()
        while ContinuousClock.now < deadline {
            predicted = Set(try await fixture.read("\(name).predictions").map { try PredictionRecord(decoding: $0.value).source.offset })
            if predicted.count >= 1250 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(predicted.count == 1250)

        for process in processes { process.terminate() }
        for process in processes {
            let status = try await process.waitForExit(timeout: .seconds(60))
            #expect(status == 0, "\(process.stage) exited with \(status): \(process.stderr())")
        }

        let dead = try await fixture.read("\(name).dlq")
        #expect(dead.count == 20)
        #expect(dead.allSatisfy { $0.headers.contains { $0.name == DeadLetterHeaders.stage && $0.stringValue == "transform" } })
        let models = try await fixture.read("\(name).models").filter { $0.key == Array(name.utf8) }
        let final = try ModelDocument(decoding: String(decoding: try #require(models.last).value, as: UTF8.self))
        #expect(final.contentHash == expected.contentHash)
        #expect(final.version == expected.version)
        #expect(models.count >= 4)
    }
}

extension StageCommandTests {
    /// Two learn processes in one group: the second takes over the partition when the first
    /// stops mid-stream, restores the first's checkpoint from the model topic and resumes
    /// exactly after it — the final model is still evaluate's, bit for bit.
    @Test func aSecondLearnerTakesOverAfterSIGTERMWithTheSameFinalHash() async throws {
        let broker = try TestBroker(.embedded)
        let fixture = try PipelineFixture(
            prefix: "ho", broker: broker,
            stages: TopologyYAML.stages(lr: 0.1, everyEvents: 400, everySeconds: 3600, detect: false))
        defer { fixture.cleanUp() }
        let name = fixture.name
        let topologyURL = fixture.topologyURL
        let directory = fixture.directory
        let lines = try Fixtures.lines("phishing.jsonl")
        let expected = try fixture.evaluate(lines)

        let transform = try StageProcess(stage: "transform", topology: topologyURL.path, directory: directory)
        let first = try StageProcess(stage: "learn", topology: topologyURL.path, directory: directory, suffix: "1")
        var all = [transform, first]
        defer { for process in all { process.kill() } }

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.lingerMilliseconds = 1
        let producer = try KafkaProducer(configuration: producerConfiguration)
        defer { producer.close() }
        func produce(_ range: Range<Int>) async throws {
            for index in range {
                try producer.enqueue(topic: "\(name).events", key: nil, value: Array(lines[index].utf8))
            }
            try await producer.flush(timeout: .seconds(30))
        }
        func predictedOffsets() async throws -> Set<Int64> {
            Set(try await fixture.read("\(name).predictions").map { try PredictionRecord(decoding: $0.value).source.offset })
        }
        func waitForPredictions(_ count: Int) async throws -> Int {
            let deadline = ContinuousClock.now + .seconds(120)
            var seen = 0
            while ContinuousClock.now < deadline {
                seen = try await predictedOffsets().count
                if seen >= count { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            return seen
        }

        try await produce(0..<700)
        #expect(try await waitForPredictions(700) == 700)
        first.terminate()
        #expect(try await first.waitForExit(timeout: .seconds(60)) == 0, "\(first.stderr())")
        let second = try StageProcess(stage: "learn", topology: topologyURL.path, directory: directory, suffix: "2")
        all.append(second)
        try await produce(700..<1250)
        #expect(try await waitForPredictions(1250) == 1250)
        for process in [transform, second] { process.terminate() }
        for process in [transform, second] {
            #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
        }

        let models = try await fixture.read("\(name).models")
        let mine = models.filter { $0.key == Array(name.utf8) }
        let final = try ModelDocument(decoding: String(decoding: try #require(mine.last).value, as: UTF8.self))
        #expect(final.contentHash == expected.contentHash)
        // The first learner's shutdown checkpoint (700 events: version 2 in progress) is there.
        let documents = try mine.map { try ModelDocument(decoding: String(decoding: $0.value, as: UTF8.self)) }
        #expect(documents.contains { $0.version == 2 && $0.pipeline.eventsLearned == 700 })
        #expect(documents.map(\.version) == documents.map(\.version).sorted())
    }
}

/// One `driftline stage` child process, its stderr in a file.
final class StageProcess: @unchecked Sendable {
    let stage: String
    private let process = Process()
    private let errURL: URL

    init(stage: String, topology: String, directory: URL, suffix: String = "", extraArguments: [String] = []) throws {
        self.stage = stage
        errURL = directory.appendingPathComponent("\(stage)\(suffix).stderr")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = try DriftlineBinary.executable()
        process.arguments = ["stage", stage, "--topology", topology, "--session-timeout-ms", "6000",
                             "--stats-interval", "0"] + extraArguments
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { return -1 }
        return process.terminationStatus
    }

    func stderr() -> String {
        (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    }
}
