import ArgumentParser
import Foundation
import OnlineML
import Pipeline

/// `driftline evaluate TOPOLOGY --file F`: the topology's whole chain in-process over a file,
/// prequentially (predict, then learn), with its drift detectors — the "test before deploy" step.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a topology offline over a file of events and print a JSON summary.",
        discussion: """
            For each event: transform, predict, score, learn (if labelled), feed the concept \
            detector, apply on_drift, feed the data-drift monitor. Bad records are counted as \
            rejected with their reason and line, never fatal. The summary (one JSON object on \
            stdout) has events, labelled, rejected, metrics, detections with their evidence, and \
            the final model's version and content hash.
            """
    )

    @Argument(help: "The topology file (YAML).")
    var topology: String

    @Option(help: "Input events: JSONL (one JSON object per line) or CSV with a header line.")
    var file: String

    @Option(help: "Input format: jsonl or csv (default: from the file extension).")
    var format: EventFileFormat?

    @Option(name: .customLong("model-out"), help: "Write the final model document (JSON) here.")
    var modelOut: String?

    @Option(help: "Write a per-event trace (JSONL: index, prediction, probability, loss, label, alarms) here.")
    var trace: String?

    func run() throws {
        let loaded: Topology
        do {
            loaded = try Topology.load(contentsOf: URL(fileURLWithPath: topology), displayName: topology)
        } catch let errors as TopologyErrors {
            printError(errors.description)
            throw ExitCode(2)
        }
        var evaluation = PrequentialEvaluation(topology: loaded)
        var traceWriter = try trace.map { try LineWriter(path: $0) }
        do {
            try EventFileReader.forEachRecord(in: URL(fileURLWithPath: file),
                                              format: format ?? EventFileFormat.guess(fromPath: file)) { record in
                let step = evaluation.process(record)
                try traceWriter?.write(CanonicalJSON.encode(step.json))
            }
        } catch let error as EventFileReader.FileError {
            printError("\(error)")
            throw ExitCode(2)
        }
        try traceWriter?.close()
        let summary = evaluation.summary

        if let modelOut, let document = evaluation.modelDocument {
            try Data((document.encoded() + "\n").utf8).write(to: URL(fileURLWithPath: modelOut))
        }
        print(CanonicalJSON.encode(summary.json))
    }

    private func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

extension EventFileFormat: ExpressibleByArgument {}

/// Buffered line output to a file, so a 100k-line trace is not 100k system calls.
private struct LineWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try handle.close()
    }
}
