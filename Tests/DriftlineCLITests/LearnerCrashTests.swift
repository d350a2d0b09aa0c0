import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// A learner process killed with SIGKILL mid-stream (no checkpoint on the way out, nothing
/// flushed) and started again: it restores from the model topic and no input is lost.
@Suite(.serialized) struct LearnerCrashTests {
    @Test(arguments: BrokerKind.available)
    func learnerKilledMidStreamRestoresAndLosesNothing(kind: BrokerKind) async throws {
        let broker = try TestBroker(kind)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "kill", broker: broker,
            stages: TopologyYAML.stages(lr: 0.1, everyEvents: 300, everySeconds: 1, detect: false))
        defer { fixture.cleanUp() }
        let lines = try Fixtures.lines("phishing.jsonl")
        let expected = try fixture.evaluate(lines)
        let path = fixture.topologyURL.path

        let transform = try StageProcess(stage: "transform", topology: path, directory: fixture.directory)
        let first = try StageProcess(stage: "learn", topology: path, directory: fixture.directory, suffix: "1")
        var all = [transform, first]
        defer { for process in all { process.kill() } }

        let producer = try KafkaProducer(configuration: broker.producerConfiguration())
        defer { producer.close() }
        let base = Int64(Date().timeIntervalSince1970 * 1000)
        func produce(_ range: Range<Int>) async throws {
            for index in range {
                try producer.enqueue(topic: fixture.topology.topics.events.name, key: nil, value: Array(lines[index].utf8),
                                     timestampMilliseconds: base + Int64(index) * 10, deliveryTag: UInt64(index))
            }
            try await producer.flush(timeout: .seconds(30))
        }
        func predictions() async throws -> [Int64] {
            try await fixture.read(fixture.topology.topics.predictions.name).map {
                try PredictionRecord(decoding: $0.value).source.offset
            }
        }
        func waitForPredictions(covering count: Int) async throws -> Set<Int64> {
            let deadline = ContinuousClock.now + .seconds(120)
            var seen = Set<Int64>()
            while ContinuousClock.now < deadline {
                seen = Set(try await predictions())
                if seen.count >= count { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            return seen
        }

        try await produce(0..<700)
        #expect(try await waitForPredictions(covering: 600).count >= 600)
        first.kill()  // SIGKILL: no checkpoint, no flush, no commit, no leave-group
        _ = try await first.waitForExit(timeout: .seconds(10))
        try await produce(700..<1250)
        let second = try StageProcess(stage: "learn", topology: path, directory: fixture.directory, suffix: "2")
        all.append(second)
        let covered = try await waitForPredictions(covering: 1250)
        #expect(covered == Set(0..<1250), "missing predictions: \(Set(0..<1250).subtracting(covered).sorted().prefix(20))")
        for process in [transform, second] { process.terminate() }
        for process in [transform, second] {
            #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
        }

        let models = try await fixture.models(key: fixture.name)
        let final = try #require(models.last?.document)
        // Every input offset is in the final model's lineage, exactly once.
        #expect(final.trainingOffsets == [TrainingOffsetRange(topic: fixture.topology.topics.events.name, partition: 0, first: 0, last: 1249)])
        #expect(final.pipeline.eventsLearned == 1250)
        // Restoring from the model topic continues bit for bit: evaluate's model.
        #expect(final.contentHash == expected.contentHash)
        var previous = 0
        for (_, document) in models {
            #expect(document.version >= previous)
            if let parent = document.parentVersion { #expect(parent == document.version - 1) }
            previous = document.version
        }
    }
}
