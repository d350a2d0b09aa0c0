import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// `driftline up` end to end, as a child process over a real broker (the embedded one in this
/// test process, or Tansu), and `driftline models` on what it published.
@Suite(.serialized) struct UpCommandTests {
    static let phishingStages = TopologyYAML.stages(lr: 0.1, everyEvents: 300, everySeconds: 1)

    /// The phishing stream through `up` (transform → learn → detect in one process): the final
    /// model is `evaluate`'s bit for bit, versions climb with correct parents and offset ranges,
    /// and /metrics shows the stages' counters while it runs. On the embedded broker,
    /// `driftline models` then runs on what it published
    /// (``modelsCommandListsShowsExportsAndCatchesTampering(_:broker:)``).
    @Test(arguments: BrokerKind.available)
    func phishingThroughUpEqualsEvaluate(kind: BrokerKind) async throws {
        let broker = try TestBroker(kind)
        defer { broker.stop() }
        let fixture = try PipelineFixture(prefix: "up", broker: broker, stages: Self.phishingStages)
        defer { fixture.cleanUp() }
        let lines = try Fixtures.lines("phishing.jsonl")
        let expected = try fixture.evaluate(lines)

        let up = try BackgroundCLI(
            ["up", fixture.topologyURL.path, "--feed", Fixtures.url("phishing.jsonl").path, "--until-idle",
             "--metrics-port", "0", "--report-interval", "1", "--idle-seconds", "5"],
            directory: fixture.directory, name: "up")
        defer { up.kill() }

        // Scrape while it runs, on a thread of its own: other suites' blocking calls can hold
        // the cooperative pool for seconds, longer than this run lasts.
        let (scraped, health, port) = await withCheckedContinuation { continuation in
            let thread = Thread {
                var port: Int?
                var scraped = ""
                var health = ""
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline && !up.stdout().contains("\"stopped_by\"") {
                    if port == nil, let found = up.stderr().components(separatedBy: "metrics on http://127.0.0.1:").dropFirst().first {
                        port = Int(found.prefix { $0.isNumber })
                    }
                    if let port, let text = httpGet(port: port, path: "/metrics") {
                        scraped = text
                        health = httpGet(port: port, path: "/health") ?? health
                        if metricValue(text, "driftline_records_in_total{stage=\"learn\"") > 0 { break }
                    }
                    Thread.sleep(forTimeInterval: 0.2)
                }
                continuation.resume(returning: (scraped, health, port))
            }
            thread.start()
        }
        let status = try await up.waitForExit(timeout: .seconds(120))
        #expect(status == 0, "\(up.stderr())")
        #expect(metricValue(scraped, "driftline_records_in_total{stage=\"transform\"") > 0, "port \(String(describing: port)): \(up.stderr())")
        #expect(metricValue(scraped, "driftline_records_out_total{stage=\"transform\"") > 0)
        #expect(scraped.contains("driftline_processing_seconds_bucket{stage=\"learn\""))
        #expect(scraped.contains("driftline_consumer_lag{"))
        #expect(health.contains("\"status\":\"ok\""), "\(health)")

        let summary = try upSummary(up.stdout())
        #expect(summary["events"]?.intValue == 1250)
        #expect((summary["predictions"]?.intValue ?? 0) >= 1250)
        #expect(summary["dead_letters"]?.intValue == 0)
        #expect(summary["final_model_hash"]?.stringValue == expected.contentHash)
        #expect(summary["stopped_by"]?.stringValue == "idle")

        let models = try await fixture.models(key: fixture.name)
        let final = try #require(models.last?.document)
        #expect(final.contentHash == expected.contentHash)
        #expect(final.version == expected.version)
        #expect(final.metrics == expected.metrics)
        // Monotonic versions; each completed version's parent is the one before; offsets grow.
        var previous: ModelDocument?
        for (_, document) in models {
            if let previous {
                #expect(document.version >= previous.version)
                if document.version > previous.version { #expect(document.parentVersion == document.version - 1) }
                #expect(document.pipeline.eventsLearned >= previous.pipeline.eventsLearned)
            } else {
                #expect(document.parentVersion == nil || document.parentVersion == document.version - 1)
            }
            let range = try #require(document.trainingOffsets.first)
            #expect(document.trainingOffsets.count == 1)
            #expect(range.first == 0 && range.last == document.pipeline.eventsLearned - 1)
            previous = document
        }
        #expect(models.count >= 4)

        if kind == .embedded { try await modelsCommandListsShowsExportsAndCatchesTampering(fixture, broker: broker) }
    }

    /// `models list|show|export` read the model topic `up` wrote; a tampered document on the
    /// topic is reported, and export refuses it. It reads the phishing run above rather than
    /// running `up` again for the same stream (one `up` run fewer, ~15 s in each test run).
    func modelsCommandListsShowsExportsAndCatchesTampering(_ fixture: PipelineFixture, broker: TestBroker) async throws {
        let list = try DriftlineBinary.run(["models", "list", "--topology", fixture.topologyURL.path, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let rows = try list.stdout.split(separator: "\n").map { try CanonicalJSON.parse(String($0)) }
        let models = try await fixture.models()
        #expect(rows.count == models.count)
        #expect(rows.map { $0["version"]?.intValue } == models.map { $0.document.version })
        #expect(rows.allSatisfy { $0["hash_ok"]?.boolValue == true })
        #expect(rows.last?["content_hash"]?.stringValue == models.last?.document.contentHash)
        #expect(rows.last?["training_offsets"]?.arrayValue?.count == 1)

        let table = try DriftlineBinary.run(["models", "list", "--topology", fixture.topologyURL.path])
        #expect(table.stdout.hasPrefix("key\tversion\tparent"))

        let version = try #require(models.first?.document.version)
        let show = try DriftlineBinary.run(["models", "show", "--topology", fixture.topologyURL.path, "--version", String(version)])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("\n  \"format\": \"driftline.model\""))
        let shown = try CanonicalJSON.parse(show.stdout)
        #expect(shown["version"]?.intValue == version)

        let path = fixture.directory.appendingPathComponent("model.json").path
        let export = try DriftlineBinary.run(["models", "export", "--topology", fixture.topologyURL.path, "--output", path])
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try String(contentsOfFile: path, encoding: .utf8)
        #expect(exported == models.last?.record.valueString)
        #expect(try ModelDocument(decoding: exported).contentHash == models.last?.document.contentHash)

        // Tamper: the last document with one weight changed, published as a newer record.
        let last = try #require(models.last)
        var json = try CanonicalJSON.parse(last.record.valueString)
        guard case .object(var object) = json, case .object(var weights)? = object["weights"], let name = weights.keys.sorted().first
        else { Issue.record("no weights"); return }
        weights[name] = .number((weights[name]?.doubleValue ?? 0) + 1)
        object["weights"] = .object(weights)
        object["version"] = .integer(last.document.version + 1)
        json = .object(object)
        let producer = try KafkaProducer(configuration: broker.producerConfiguration())
        try await producer.send(topic: fixture.topology.topics.models.name, key: Array(fixture.name.utf8),
                                value: Array(CanonicalJSON.encode(json).utf8))
        producer.close()
        let tamperedList = try DriftlineBinary.run(["models", "list", "--topology", fixture.topologyURL.path])
        #expect(tamperedList.status != 0)
        #expect(tamperedList.stdout.contains("TAMPERED"))
        #expect(tamperedList.stderr.contains("content hash mismatch"))
        let tamperedExport = try DriftlineBinary.run(["models", "export", "--topology", fixture.topologyURL.path, "--output", path + ".2"])
        #expect(tamperedExport.status != 0)
        #expect(tamperedExport.stderr.contains("content hash mismatch"))
        #expect(!FileManager.default.fileExists(atPath: path + ".2"))
    }

    /// The sine stream's first 50k events through `up` with `on_drift: reset`: alerts right
    /// after the true drifts (20000, 40000), each followed by a reset version whose parent is
    /// the version it replaced; and a Python confluent-kafka consumer validates every model
    /// document and alert against the documented formats.
    @Test func sineDriftAlertsAndResetsThroughUpAndPythonReadsThem() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(
            prefix: "si", broker: broker,
            stages: TopologyYAML.stages(lr: 0.1, everyEvents: 5000, everySeconds: 1000, onDrift: "reset"))
        defer { fixture.cleanUp() }
        let lines = Array(try Fixtures.lines("sine_drift_100k.jsonl").prefix(50_000))
        let feed = try fixture.write(lines, as: "sine.jsonl")
        // Paced: the record timestamps (stream time) then advance, and the learner's 1-s
        // stream-time punctuation reads the alerts it resets on.
        let up = try BackgroundCLI(["up", fixture.topologyURL.path, "--feed", feed, "--until-idle", "--rate", "5000"],
                                   directory: fixture.directory, name: "up")
        defer { up.kill() }
        let status = try await up.waitForExit(timeout: .seconds(300))
        #expect(status == 0, "\(up.stderr())")
        let summary = try upSummary(up.stdout())
        #expect((summary["predictions"]?.intValue ?? 0) >= 50_000)
        let positions = (summary["alerts"]?.arrayValue ?? []).compactMap { $0["source"]?["offset"]?.intValue }
        for drift in [20_000, 40_000] {
            #expect(positions.contains { $0 >= drift && $0 < drift + 1000 }, "alert after \(drift): \(positions)")
        }
        #expect(positions.allSatisfy { $0 >= 20_000 }, "\(positions)")

        let models = try await fixture.models(key: fixture.name)
        let resets = models.filter { $0.record.headers.first { $0.name == ModelRecordHeaders.reason }?.stringValue == "reset" }
        #expect(resets.count >= 2)
        for (_, document) in resets {
            #expect(document.parentVersion == document.version - 1)
            #expect(document.trainingOffsets.isEmpty)
            #expect(document.lineage?["started_by"]?["action"]?.stringValue == "reset_model")
        }
        #expect(models.map(\.document.version) == models.map(\.document.version).sorted())

        // An independent reader: Python's confluent-kafka.
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/DriftlineCLITests/python/validate_topics.py").path
        let python = try runPython([script, "--brokers", broker.bootstrapServers,
                                    "--models", fixture.topology.topics.models.name,
                                    "--alerts", fixture.topology.topics.alerts.name,
                                    "--features", fixture.topology.topics.features.name])
        #expect(python.status == 0, "\(python.output)")
        let report = try CanonicalJSON.parse(python.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["models"]?.intValue == models.count)
        #expect(report["alerts"]?.intValue == summary["alerts"]?.arrayValue?.count)
        #expect((report["features"]?.intValue ?? 0) > 0)
        #expect(report["error_count"]?.intValue == 0)
    }

    /// 10,000 malformed records mixed into the phishing stream: every one is dead-lettered
    /// with its reason, nothing crashes, the model equals evaluate's over the good records and
    /// its weights are finite.
    @Test func malformedRecordsAllGoToTheDeadLetterTopic() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(prefix: "bad", broker: broker, stages: Self.phishingStages)
        defer { fixture.cleanUp() }
        let good = try Fixtures.lines("phishing.jsonl")
        let bad = ["{broken", "[1,2]", "\"text\"", "{\"https\":\"text\",\"y\":1}", "{\"https\":1,\"y\":0.5}",
                   "{\"https\":1e400,\"y\":1}", "{\"https\":{\"a\":1},\"y\":1}", "{\"https\":1,\"https\":2,\"y\":1}",
                   "null", "{\"age_of_domain\":[1],\"y\":0}"]
        var lines: [String] = []
        var badIndex = 0
        for (index, line) in good.enumerated() {
            lines.append(line)
            for _ in 0..<(index < 1000 ? 8 : 0) {
                lines.append(bad[badIndex % bad.count])
                badIndex += 1
            }
        }
        #expect(badIndex == 8000)
        for _ in 0..<2000 {
            lines.append(bad[badIndex % bad.count])
            badIndex += 1
        }
        let feed = try fixture.write(lines, as: "mixed.jsonl")
        let expected = try fixture.evaluate(lines)
        let up = try BackgroundCLI(["up", fixture.topologyURL.path, "--feed", feed, "--until-idle"],
                                   directory: fixture.directory, name: "up")
        defer { up.kill() }
        let status = try await up.waitForExit(timeout: .seconds(300))
        #expect(status == 0, "\(up.stderr())")
        let summary = try upSummary(up.stdout())
        #expect(summary["events"]?.intValue == 11_250)
        #expect(summary["dead_letters"]?.intValue == 10_000)

        let dead = try await fixture.read(fixture.topology.topics.deadLetters.name)
        #expect(dead.count == 10_000)
        #expect(dead.allSatisfy { record in
            record.headers.contains { $0.name == DeadLetterHeaders.error && !($0.stringValue ?? "").isEmpty }
                && record.headers.contains { $0.name == DeadLetterHeaders.stage && $0.stringValue == "transform" }
        })
        let badSet = Set(bad)
        #expect(dead.allSatisfy { badSet.contains($0.valueString) })
        let final = try #require(try await fixture.models(key: fixture.name).last?.document)
        #expect(final.contentHash == expected.contentHash)
        let weights = try #require(final.json["weights"]?.objectValue)
        #expect(!weights.isEmpty && weights.values.allSatisfy { $0.doubleValue?.isFinite == true })
    }
}

/// Runs python3 with `arguments`; stdout and stderr together.
func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

extension UpCommandTests {
    /// A standalone `driftline stage` serves its own /metrics: scraped while it runs, its
    /// counters and the learner's model version are non-zero.
    @Test func stageProcessServesMetricsWhileRunning() async throws {
        let broker = try TestBroker(.embedded)
        defer { broker.stop() }
        let fixture = try PipelineFixture(prefix: "me", broker: broker, stages: Self.phishingStages)
        defer { fixture.cleanUp() }
        let stages = try ["transform", "learn"].map { stage in
            try BackgroundCLI(["stage", stage, "--topology", fixture.topologyURL.path, "--metrics-port", "0",
                               "--session-timeout-ms", "6000", "--stats-interval", "0"],
                              directory: fixture.directory, name: stage)
        }
        defer { for stage in stages { stage.kill() } }
        let producer = try KafkaProducer(configuration: broker.producerConfiguration())
        let base = Int64(Date().timeIntervalSince1970 * 1000)
        for (index, line) in try Fixtures.lines("phishing.jsonl").enumerated() {
            try producer.enqueue(topic: fixture.topology.topics.events.name, key: nil, value: Array(line.utf8),
                                 timestampMilliseconds: base + Int64(index) * 10, deliveryTag: 0)
        }
        try await producer.flush(timeout: .seconds(30))
        producer.close()

        func port(_ process: BackgroundCLI) -> Int? {
            process.stdout().split(separator: "\n").first { $0.hasPrefix("metrics port ") }
                .flatMap { Int($0.split(separator: " ").last!) }
        }
        var transformText = "", learnText = ""
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let p = port(stages[0]), let text = httpGet(port: p, path: "/metrics") { transformText = text }
            if let p = port(stages[1]), let text = httpGet(port: p, path: "/metrics") { learnText = text }
            if metricValue(transformText, "driftline_records_in_total{stage=\"transform\"") >= 1250,
                metricValue(learnText, "driftline_records_in_total{stage=\"learn\"") >= 1250,
                metricValue(learnText, "driftline_model_version{") >= 4 {
                break
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(metricValue(transformText, "driftline_records_in_total{stage=\"transform\"") == 1250, "\(transformText)")
        #expect(metricValue(transformText, "driftline_records_out_total{stage=\"transform\"") == 1250)
        #expect(metricValue(learnText, "driftline_records_in_total{stage=\"learn\"") == 1250, "\(learnText)")
        #expect(metricValue(learnText, "driftline_model_version{") >= 4)
        #expect(metricValue(learnText, "driftline_metric{model=\"\(fixture.name)\",name=\"accuracy\"}") > 0.5)
        for stage in stages {
            Foundation.kill(stage.pid, SIGTERM)
            #expect(try await stage.waitForExit(timeout: .seconds(60)) == 0, "\(stage.stderr())")
        }
    }
}
