import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// `guarantee: exactly_once` for the detect stage: its detectors (ADWIN on the prediction
/// errors, KS windows per feature) are checkpointed to `NAME.detect-changelog` in its
/// transactions and restored on assignment. The detector is killed with SIGKILL three times at
/// seeded points while events flow through transform → learn → detect (River's Sine stream from
/// event 10,000, so its concept reverses mid-run); the alerts must be the
/// uninterrupted run's (the in-memory driver over the same events): none lost, none different.
///
/// On Tansu only: the mock stores no transactional offsets (a restarted detector would start
/// at its checkpoint, not the committed offset) and Tansu is what the issue asks for. Tansu
/// 0.6 shows records of aborted transactions to read_committed readers, so an alert of an
/// aborted transaction stays visible next to its committed copy: the test asserts that every
/// copy is byte-identical (determinism) and that the distinct alerts are the uninterrupted
/// run's, not "exactly one record" (docs/guarantees.md, What each broker honours).
@Suite(.serialized) struct ExactlyOnceDetectTests {
    static let detect = """
        {concept: {detector: adwin, delta: 0.002, input: error}, data: {test: ks, reference: 500, window: 250, alpha: 0.3}}
        """

    @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
    func detectorKilledThreeTimesCommitsTheUninterruptedAlerts_abortedCopiesVisibleOnTansu() async throws {
        try await withBroker(.tansu) { broker in
            let fixture = try ExactlyOnceCluster(
                broker: broker, prefix: "ed", fixture: "sine_drift_100k.jsonl", firstLine: 10_000, detect: Self.detect)
            defer { fixture.cleanUp() }
            let lines = fixture.lines
            let upstream = [try fixture.start("transform"), try fixture.start("learn")]
            var victims = [try fixture.start("detect", suffix: "0")]
            defer {
                for process in upstream + victims { process.kill() }
            }
            let timeout = { (seconds: Int) in ExactlyOnceStageTests.timeout(seconds, events: lines.count) }
            let chunk = lines.count / 4
            var generator = SeededGenerator(seed: 2027)
            for index in 0..<3 {
                try await fixture.produce((index * chunk)..<((index + 1) * chunk))
                // Kill once the detector committed past a seeded point of the predictions topic.
                let point = Int64(index * chunk + Int.random(in: 1...chunk, using: &generator))
                let reached = try await fixture.waitForCommitted(
                    group: "\(fixture.name).detect", topic: fixture.topic("predictions"), atLeast: point,
                    timeout: timeout(90))
                #expect(reached >= point, "the detector stalled at \(reached) before kill \(index + 1)")
                victims.last!.kill()
                _ = try await victims.last!.waitForExit(timeout: .seconds(10))
                victims.append(try fixture.start("detect", suffix: "\(index + 1)"))
            }
            try await fixture.produce((3 * chunk)..<lines.count)
            #expect(try await fixture.waitForPredictions(lines.count, timeout: timeout(120)) == lines.count)

            // Every input of the detector committed: its offsets reach the ends of both inputs.
            // Waited for while it runs, asserted once it stopped: after a catch-up Tansu 0.6 may
            // keep a task's previous transactional offset until the task's closing commit sends
            // it again (docs/guarantees.md, "What each broker honours"; seen here in CI once,
            // features committed 20,001 of 20,005 for a minute).
            var ends: [(topic: String, end: Int64)] = []
            for topic in ["predictions", "features"] {
                let end = try await fixture.read(fixture.topic(topic)).map(\.offset).max().map { $0 + 1 } ?? 0
                ends.append((topic, end))
                _ = try await fixture.waitForCommitted(
                    group: "\(fixture.name).detect", topic: fixture.topic(topic), atLeast: end, timeout: timeout(20))
            }
            let last = victims.last!
            for process in upstream + [last] { process.terminate() }
            for process in upstream + [last] {
                #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
            }
            for (topic, end) in ends {
                let committed = try await fixture.waitForCommitted(
                    group: "\(fixture.name).detect", topic: fixture.topic(topic), atLeast: end, timeout: .seconds(30))
                #expect(committed == end, "the detector committed all of \(topic)")
            }
            for victim in victims.dropFirst() {
                #expect(victim.stderr().contains("from assignment to first processed record"), "\(victim.stderr())")
            }

            let expected = try fixture.uninterruptedAlerts()
            #expect(expected.count >= 5, "the stream raises alerts of both kinds to compare: \(expected.count)")
            #expect(Set(expected.map { $0.contains(#""kind":"concept""#) }).count == 2, "\(expected)")
            #expect(try await fixture.distinctAlerts() == expected, "alerts per source offset equal the uninterrupted run's")
        }
    }

    /// The alert without the offset of the record the detector read: the in-memory driver's
    /// topics have no transaction markers, so its input offsets differ from a broker's.
    static func comparable(_ bytes: [UInt8]) throws -> String {
        guard case .object(var alert) = try CanonicalJSON.parse(String(decoding: bytes, as: UTF8.self)),
              case .object(var position)? = alert["position"]
        else { throw AlertShapeError() }
        position["input"] = nil
        alert["position"] = .object(position)
        return CanonicalJSON.encode(.object(alert))
    }

    /// What one alert is about: its source event, what was fed and which feature.
    static func identity(_ bytes: [UInt8]) throws -> String {
        let json = try CanonicalJSON.parse(String(decoding: bytes, as: UTF8.self))
        return [
            json["position"]?["source"]?["partition"]?.intValue.map(String.init) ?? "-",
            json["position"]?["source"]?["offset"]?.intValue.map(String.init) ?? "-",
            json["input"]?.stringValue ?? "-", json["feature"]?.stringValue ?? "-",
        ].joined(separator: "|")
    }

    struct AlertShapeError: Error {}
}

extension ExactlyOnceCluster {
    /// The alerts of the uninterrupted run — the in-memory driver over the same events, in the
    /// same events partitions — in ``ExactlyOnceDetectTests/comparable(_:)`` form, sorted.
    func uninterruptedAlerts() throws -> [String] {
        let driver = try TopologyTestDriver(topology: topology)
        for (index, line) in lines.enumerated() {
            try driver.pipe(
                StageRecord(key: nil, value: Array(line.utf8), partition: Int32(index % partitions)),
                into: topic("events"))
        }
        try driver.close()
        return try driver.records(in: topic("drift-alerts")).map { try ExactlyOnceDetectTests.comparable($0.value) }
            .sorted()
    }

    /// The distinct alerts on the alerts topic, in comparable form, sorted (the tasks share the
    /// topic in wall-clock order); expects every copy of one alert (an aborted transaction's,
    /// visible on Tansu) to be byte-identical.
    func distinctAlerts() async throws -> [String] {
        var copies: [String: [UInt8]] = [:]
        var distinct: [String] = []
        for record in try await read(topic("drift-alerts")) {
            let id = try ExactlyOnceDetectTests.identity(record.value)
            if let earlier = copies[id] {
                #expect(earlier == record.value, "two different alerts for \(id)")
                continue
            }
            copies[id] = record.value
            distinct.append(try ExactlyOnceDetectTests.comparable(record.value))
        }
        return distinct.sorted()
    }
}
