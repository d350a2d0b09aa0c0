import Dispatch
import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// `guarantee: exactly_once` with real `driftline stage` processes: the learner is killed with
/// SIGKILL three times at seeded points while events flow; the final model must be the one an
/// uninterrupted run (`driftline evaluate`'s computation) makes, bit for bit.
///
/// Sized at 20k events on Tansu (phishing repeated), not 200k: a debug build of the stage
/// processes with three restarts (each waits for the group to notice the dead member) must stay
/// under ~2 minutes here. On the mock, 2.5k: it keeps only ~5 MiB per partition and silently drops
/// the oldest records (features records are ~1.5 KB, and restarts add aborted copies), which
/// would look like lost output.
///
/// What each broker honours (docs/guarantees.md): neither the mock nor Tansu 0.6 hides aborted
/// records from read_committed readers, so the predictions topic may hold copies from aborted
/// transactions; the test asserts they are byte-identical to the committed ones (determinism)
/// and that every source offset has one. The mock does not store transactional offsets: the
/// committed-offset assertion runs on Tansu only, and on the mock the test asserts what the mock
/// does instead (no offset stored).
@Suite(.serialized) struct ExactlyOnceStageTests {
    /// `DRIFTLINE_EOS_EVENTS` overrides the Tansu size (e.g. 200000 for the issue's figure; the
    /// default keeps CI short). The mock stays at 2.5k (its per-partition limit, above).
    static func eventCount(_ kind: BrokerKind) -> Int {
        guard kind == .tansu else { return 2_500 }
        return ProcessInfo.processInfo.environment["DRIFTLINE_EOS_EVENTS"].flatMap(Int.init) ?? 20_000
    }

    /// A wait sized for 20k events, stretched for larger runs (a debug build does ~1k events/s
    /// through a chain under three restarts).
    static func timeout(_ seconds: Int, events: Int) -> Duration {
        .seconds(max(seconds, seconds * events / 20_000))
    }

    /// The brokers of the kill test. `DRIFTLINE_EOS_BROKERS=tansu` (scripts/test's second run)
    /// leaves the embedded broker out: the first run covers it with Debian's client, and its two
    /// cases took ~80 s of CI's second run.
    static var brokers: [BrokerKind] {
        guard let wanted = ProcessInfo.processInfo.environment["DRIFTLINE_EOS_BROKERS"] else {
            return BrokerKind.available
        }
        let names = wanted.split(separator: ",").map(String.init)
        return BrokerKind.available.filter { names.contains($0.rawValue) }
    }

    @Test(arguments: Self.brokers, ["learn", "transform"])
    func stageKilledThreeTimesEndsWithTheUninterruptedModel_abortedCopiesVisibleOnBothBrokers(
        _ kind: BrokerKind, killed: String
    ) async throws {
        try await withBroker(kind) { broker in
            let fixture = try ExactlyOnceCluster(broker: broker, prefix: "eo")
            defer { fixture.cleanUp() }
            let lines = fixture.lines
            let survivor = try fixture.start(killed == "learn" ? "transform" : "learn")
            var victims = [try fixture.start(killed, suffix: "0")]
            defer {
                survivor.kill()
                for victim in victims { victim.kill() }
            }
            // Four chunks; a kill at a seeded point inside each of the first three, and the last
            // chunk only after the last restart, so the final learner has work of its own.
            let chunk = lines.count / 4
            var generator = SeededGenerator(seed: 2026)
            for index in 0..<3 {
                try await fixture.produce((index * chunk)..<((index + 1) * chunk))
                let point = index * chunk + Int.random(in: 1...chunk, using: &generator)
                let seen = try await fixture.waitForPredictions(point, timeout: Self.timeout(90, events: lines.count))
                #expect(seen >= point, "predictions stalled at \(seen) before kill \(index + 1)")
                victims.last!.kill()
                _ = try await victims.last!.waitForExit(timeout: .seconds(10))
                victims.append(try fixture.start(killed, suffix: "\(index + 1)"))
            }
            try await fixture.produce((3 * chunk)..<lines.count)
            let seen = try await fixture.waitForPredictions(lines.count, timeout: Self.timeout(120, events: lines.count))
            #expect(seen == lines.count, "no input record lost: every source offset has a prediction")

            for process in [survivor, victims.last!] { process.terminate() }
            for process in [survivor, victims.last!] {
                #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
            }
            let restored = victims.last!.stderr()
            #expect(restored.contains("from assignment to first processed record"), "\(restored)")

            // Copies from aborted transactions (visible on both brokers) equal the committed ones,
            // in the killed stage's output and downstream.
            for topic in ["features", "predictions"] {
                #expect(try await fixture.outputsBySource(topic).count == lines.count, "every event has a \(topic) record")
            }

            let models = try await fixture.read(fixture.topic("models")).filter { $0.key == Array(fixture.name.utf8) }
            let last = try #require(models.last)
            let final = try ModelDocument(decoding: String(decoding: last.value, as: UTF8.self))
            let expected = try fixture.evaluate(lines)
            #expect(final.contentHash == expected.contentHash)
            #expect(final.version == expected.version)

            try fixture.verifyReplay(final)

            let lineageNext = last.headers.last { $0.name == ModelRecordHeaders.inputNextOffset }?.stringValue
                .flatMap(Int64.init)
            let committed = try fixture.committed(group: "\(fixture.name).learn", topic: fixture.topic("features"))
            let transformCommitted = try fixture.committed(
                group: "\(fixture.name).transform", topic: fixture.topic("events"))
            switch kind {
            case .tansu:
                // The committed input offset equals the lineage of the last model version.
                #expect(committed == lineageNext)
                #expect(transformCommitted == Int64(lines.count))
            case .embedded:
                // The mock does not store offsets sent with send_offsets_to_transaction.
                #expect(committed == nil)
                #expect(transformCommitted == nil)
            }
        }
    }

    /// On Tansu the older instance is fenced once the newer one registers the same
    /// transactional id, and exits 3 with a clear message. librdkafka's mock (2.0.2) does not
    /// fence an older producer epoch: there both instances keep running, and the test asserts
    /// only what still holds — the newer instance processes the stream to the end.
    @Test(arguments: BrokerKind.available)
    func aSecondInstanceWithTheSameTransactionalIDFencesTheFirst_mockDoesNotFence(_ kind: BrokerKind) async throws {
        try await withBroker(kind) { broker in
            let fixture = try ExactlyOnceCluster(broker: broker, prefix: "fe")
            defer { fixture.cleanUp() }
            let transform = try fixture.start("transform")
            let first = try fixture.start("learn", suffix: "a")
            defer {
                transform.kill()
                first.kill()
            }
            try await fixture.produce(0..<1500)
            #expect(try await fixture.waitForPredictions(1500, timeout: .seconds(90)) == 1500)
            // A second group: it gets the same task, hence the same transactional id.
            let second = try fixture.start("learn", suffix: "b", group: "\(fixture.name).learn.b")
            defer { second.kill() }
            // It registers its transactional id on assignment: after the group join (≤ ~10 s),
            // or earlier when it logs its first record. Then feed the first more.
            let deadline = ContinuousClock.now + .seconds(12)
            while !second.stderr().contains("from assignment to first processed record"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            try await fixture.produce(1500..<2500)
            switch kind {
            case .tansu:
                let status = try await first.waitForExit(timeout: .seconds(60))
                #expect(status == 3, "the fenced instance exits with 3: \(first.stderr())")
                #expect(first.stderr().contains("fenced: another instance now owns transactional id"))
            case .embedded:
                #expect(try await fixture.waitForPredictions(2500, timeout: .seconds(90)) == 2500)
                #expect(second.stderr().contains("from assignment to first processed record"), "\(second.stderr())")
            }
            second.terminate()
            #expect(try await second.waitForExit(timeout: .seconds(60)) == 0, "\(second.stderr())")
        }
    }
}

extension ExactlyOnceCluster {
    /// `replay --verify` of a model made by a run with restarts passes, from the brokers and from
    /// an exported slice; a slice with one input value changed fails, naming the first version
    /// that differs.
    func verifyReplay(_ final: ModelDocument) throws {
        let model = "\(name)@\(final.version)"
        let replayed = try DriftlineBinary.run(["replay", "--topology", topologyURL.path, "--model", model, "--verify"])
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.contains("lineage of \(model):"))
        #expect(replayed.stdout.contains("v\(final.version) ← v\(final.version - 1)"))
        #expect(replayed.stdout.contains(final.contentHash))

        let slice = directory.appendingPathComponent("slice.jsonl")
        let exported = try DriftlineBinary.run(["export", "--topology", topologyURL.path, "--model", model, "--output", slice.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        let fromFile = try DriftlineBinary.run(["replay", "--file", slice.path, "--topology", topologyURL.path, "--verify"])
        #expect(fromFile.status == 0, "\(fromFile.stdout)\(fromFile.stderr)")

        // Tamper with one labelled input record: flip its label.
        var lines = try String(contentsOf: slice, encoding: .utf8).split(separator: "\n").map(String.init)
        let index = lines.count / 2
        let flipped = lines[index].contains(#"\"y\":1"#)
            ? lines[index].replacingOccurrences(of: #"\"y\":1"#, with: #"\"y\":0"#)
            : lines[index].replacingOccurrences(of: #"\"y\":0"#, with: #"\"y\":1"#)
        #expect(flipped != lines[index], "the tampered line changed: \(lines[index])")
        lines[index] = flipped
        let tampered = directory.appendingPathComponent("tampered.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: tampered, atomically: true, encoding: .utf8)
        let failed = try DriftlineBinary.run(["replay", "--file", tampered.path, "--topology", topologyURL.path, "--verify"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("verify FAILED"), "\(failed.stderr)")
        #expect(failed.stderr.contains("first differing version"), "\(failed.stderr)")
    }
}

/// SplitMix64: a seeded generator, so the kill points are the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Tansu on `s3://` storage served by a local `moto_server`, restarted mid-run: data and
/// committed offsets survive, the stages reconnect, nothing is lost and the model is exact.
///
/// Two causes made this stall or diverge before (docs/guarantees.md, Broker restarts):
/// librdkafka >= 2.10 re-bootstrapped when its one broker went down and its transactional
/// producer then hung in send_offsets_to_transaction (confluentinc/librdkafka#5511; the stages
/// now set `metadata.recovery.strategy=none`), and a learner that lost its partition before
/// its first model document restarted from the committed offset with a fresh model (it now
/// starts from 0 and catches up silently).
@Suite(.serialized) struct ExactlyOnceBrokerRestartTests {
    static var motoServer: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    @Test(.enabled(if: BrokerKind.tansuUsable && ExactlyOnceBrokerRestartTests.motoServer != nil, "needs DRIFTLINE_TANSU, librdkafka >= 2.10 and moto_server"))
    func tansuOnS3RestartedMidRunLosesNothingAndTheModelIsExact() async throws {
        let motoPort = try FreePort.next()
        let moto = try ChildProcess(Self.motoServer!, ["-p", String(motoPort)], environment: [:])
        defer { moto.stop() }
        try await ChildProcess.waitUntilAccepting(motoPort)
        let bucket = try ChildProcess("/usr/bin/curl", ["-s", "-X", "PUT", "http://127.0.0.1:\(motoPort)/tansu"], environment: [:])
        _ = try await bucket.waitForExit(timeout: .seconds(10))

        let port = try FreePort.next()
        let environment = [
            "AWS_ENDPOINT": "http://127.0.0.1:\(motoPort)", "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
        ]
        let arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url",
                         "tcp://127.0.0.1:\(port)", "--storage-engine", "s3://tansu/"]
        let tansuLog = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-eos-tansu-\(port).log")
        var tansu = try ChildProcess(BrokerKind.tansuExecutable!, arguments, environment: environment, log: tansuLog)
        defer { tansu.stop() }
        try await ChildProcess.waitUntilAccepting(port)
        let servers = "127.0.0.1:\(port)"
        let fixture = try ExactlyOnceCluster(servers: servers, prefix: "rs", events: 2500) { topic, partitions in
            let admin = try KafkaAdmin(bootstrapServers: servers)
            try admin.createTopics([KafkaNewTopic(name: topic, partitions: Int32(partitions))])
        }
        defer { fixture.cleanUp() }
        let transform = try fixture.start("transform")
        let learn = try fixture.start("learn")
        defer {
            transform.kill()
            learn.kill()
        }
        try await fixture.produce(0..<1250)
        #expect(try await fixture.waitForPredictions(1250, timeout: .seconds(120)) == 1250)

        // Down longer than the stages' session timeout (6 s): the group loses their
        // partitions, and the learner restores before it published any model document.
        tansu.stop()
        try await Task.sleep(for: .seconds(8))
        tansu = try ChildProcess(
            BrokerKind.tansuExecutable!, arguments, environment: environment,
            log: tansuLog.deletingPathExtension().appendingPathExtension("restarted.log"))
        try await ChildProcess.waitUntilAccepting(port)

        try await fixture.produce(1250..<fixture.lines.count)
        try await afterRestart(fixture, transform: transform, learn: learn)
    }

    private func afterRestart(_ fixture: ExactlyOnceCluster, transform: StageProcess, learn: StageProcess) async throws {
        #expect(try await fixture.waitForPredictions(2500, timeout: .seconds(120)) == 2500, "nothing lost")
        for process in [transform, learn] { process.terminate() }
        for process in [transform, learn] {
            #expect(try await process.waitForExit(timeout: .seconds(60)) == 0, "\(process.stderr())")
        }
        let models = try await fixture.read(fixture.topic("models")).filter { $0.key == Array(fixture.name.utf8) }
        let final = try ModelDocument(decoding: String(decoding: try #require(models.last?.value), as: UTF8.self))
        let expected = try fixture.evaluate(fixture.lines)
        let published = try models.map { record in
            let document = try ModelDocument(decoding: String(decoding: record.value, as: UTF8.self))
            let header = { (name: String) in record.headers.last { $0.name == name }?.stringValue ?? "-" }
            return "@\(record.offset) v\(document.version) \(header(ModelRecordHeaders.reason)) next=\(header(ModelRecordHeaders.inputNextOffset)) \(document.contentHash.prefix(12))"
        }
        #expect(final.contentHash == expected.contentHash, "expected v\(expected.version) \(expected.contentHash.prefix(12)); published: \(published)")
        let lineageNext = models.last!.headers.last { $0.name == ModelRecordHeaders.inputNextOffset }?.stringValue
            .flatMap(Int64.init)
        #expect(try fixture.committed(group: "\(fixture.name).learn", topic: fixture.topic("features")) == lineageNext)
    }
}

/// A helper process (moto_server, a Tansu broker), stopped by its PID.
final class ChildProcess: @unchecked Sendable {
    private let process = Process()

    init(_ executable: String, _ arguments: [String], environment: [String: String], log: URL? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? -1 : process.terminationStatus
    }

    static func waitUntilAccepting(_ port: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !FreePort.accepts(port) {
            guard ContinuousClock.now < deadline else { throw BrokerProcessError.notReady("port \(port) not accepting") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
