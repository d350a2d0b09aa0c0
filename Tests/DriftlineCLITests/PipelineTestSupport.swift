import Dispatch
import Foundation
import Kafka
import OnlineML
import Pipeline
import Testing
import TestSupport

/// A `driftline` child process (e.g. `up`) running in the background, stdout and stderr in
/// files, stopped by its PID when the test ends.
final class BackgroundCLI: @unchecked Sendable {
    private let process = Process()
    private let outURL: URL
    private let errURL: URL

    init(_ arguments: [String], directory: URL, name: String) throws {
        outURL = directory.appendingPathComponent("\(name).stdout")
        errURL = directory.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = try DriftlineBinary.executable()
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

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

    func stdout() -> String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    func stderr() -> String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
}

/// Shared set-up of the pipeline tests: a topology over six single-partition (or `partitions`)
/// topics on a test broker, written to a temporary directory.
struct PipelineFixture {
    let name: String
    let directory: URL
    let topologyURL: URL
    let topology: Topology
    let servers: String

    static let roles = ["events", "features", "predictions", "models", "alerts", "dead_letters"]

    init(prefix: String, broker: TestBroker?, stages: String, schema: String = "{target: y}",
         partitions: Int = 1, extra: String = "") throws {
        name = "\(prefix)\(UUID().uuidString.prefix(6).lowercased())"
        let topicNames = ["\(name).events", "\(name).features", "\(name).predictions", "\(name).models",
                          "\(name).drift-alerts", "\(name).dlq"]
        if let broker {
            for (role, topic) in zip(Self.roles, topicNames) {
                try broker.createTopic(topic, partitions: ["models", "alerts", "dead_letters"].contains(role) ? 1 : partitions)
            }
        }
        servers = broker?.bootstrapServers ?? ""
        let topicLines = zip(Self.roles, topicNames).map { role, topic in
            "  \(role): {name: \(topic), partitions: \(["models", "alerts", "dead_letters"].contains(role) ? 1 : partitions)}"
        }
        let yaml = """
            name: \(name)
            brokers: \(broker.map { "\"\($0.bootstrapServers)\"" } ?? "embedded")
            topics:
            \(topicLines.joined(separator: "\n"))
            schema: \(schema)
            stages:
            \(stages)
            \(extra)
            """
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-pipeline-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        topologyURL = directory.appendingPathComponent("topology.yaml")
        try yaml.write(to: topologyURL, atomically: true, encoding: .utf8)
        topology = try Topology.parse(yaml: yaml)
        // `up` creates the topics it finds missing — with a detect stage, also its changelog —
        // through the Admin API, which the embedded broker does not answer: `up` waits 5 s,
        // warns and auto-creates the changelog with 4 partitions on first write. Created here,
        // as a broker with CreateTopics would, `up` finds every topic and starts at once. On
        // Tansu `up` still creates the changelog itself.
        if let embedded = broker?.embedded, let changelog = DetectCheckpointRecord.newTopic(for: topology) {
            try embedded.createTopics([changelog])
        }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Writes `lines` as a JSON Lines file in the fixture's directory.
    func write(_ lines: [String], as file: String) throws -> String {
        let url = directory.appendingPathComponent(file)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Every record of `topic`, read off the cooperative pool.
    func read(_ topic: String) async throws -> [KafkaConsumerRecord] {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: servers, groupID: "reader-\(name)")
        consumer.autoOffsetReset = .earliest
        let reader = consumer
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try KafkaStateRestorer(configuration: reader).records(in: topic) })
            }
        }
    }

    /// The model documents of `key`, in topic order, each with its record.
    func models(key: String? = nil) async throws -> [(record: KafkaConsumerRecord, document: ModelDocument)] {
        try await read(topology.topics.models.name).filter { key == nil || $0.keyString == key }.map { record in
            (record, try ModelDocument(decoding: record.valueString))
        }
    }

    /// `evaluate`'s final model over `lines` (the reference the streaming run must equal).
    func evaluate(_ lines: [String]) throws -> ModelDocument {
        var evaluation = PrequentialEvaluation(topology: topology)
        for line in lines {
            let content: Result<Event, InputRecordError>
            do { content = .success(try JSONEventParser.parse(line)) } catch { content = .failure(InputRecordError(error.description)) }
            _ = evaluation.process(InputRecord(line: 0, content: content))
        }
        return try #require(evaluation.modelDocument)
    }
}

/// Parses `driftline up`'s JSON summary (the last line of stdout).
func upSummary(_ stdout: String) throws -> JSONValue {
    let line = try #require(stdout.split(separator: "\n").last, "no summary on stdout")
    return try CanonicalJSON.parse(String(line))
}

/// GET `http://127.0.0.1:PORT/PATH` with a plain socket-free URLSession-less read (curl).
func httpGet(port: Int, path: String) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "--max-time", "2", "http://127.0.0.1:\(port)\(path)"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

/// The value of a Prometheus series line starting with `prefix` (name and labels), summed.
func metricValue(_ text: String, _ prefix: String) -> Double {
    text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
        .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
}
