import Foundation
import Testing
import TestSupport

/// `driftline graph` as a user runs it; Graphviz parses the DOT of every shipped topology.
@Suite struct GraphCommandTests {
    @Test func mermaidIsTheDefault() throws {
        let result = try DriftlineBinary.run(["graph", "topologies/quickstart.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("---\ntitle: \"quickstart (at_least_once, brokers: embedded)\"\n---\nflowchart LR\n"))
        #expect(result.stdout.contains("    alerts ==>|\"on_drift: reset\"| learn\n"))
        #expect(result.stdout.contains("    detect -.->|\"dead letters\"| dead_letters\n"))
    }

    @Test func invalidTopologyFailsWithLocatedErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(UUID().uuidString).yaml")
        try "name: t\nstages: {transform: {scale: zscore}}\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try DriftlineBinary.run(["graph", url.path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("\(url.path):2:29: stages.transform.scale: expected one of"))

        let badFormat = try DriftlineBinary.run(["graph", "topologies/quickstart.yaml", "--format", "svg"])
        #expect(badFormat.status != 0)
    }

    /// `dot -Tsvg` accepts the output for every topology in `topologies/`.
    @Test func graphvizRendersEveryShippedTopology() throws {
        let directory = Fixtures.repositoryRoot.appendingPathComponent("topologies")
        let files = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension == "yaml" }
            .map { String($0.path.dropFirst(Fixtures.repositoryRoot.path.count + 1)) }
            .sorted()
        #expect(files.count >= 22)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("graph-dot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for file in files {
            let result = try DriftlineBinary.run(["graph", file, "--format", "dot"])
            #expect(result.status == 0, "\(file): \(result.stderr)")
            let dotFile = scratch.appendingPathComponent("graph.dot")
            let svgFile = scratch.appendingPathComponent("graph.svg")
            try result.stdout.write(to: dotFile, atomically: true, encoding: .utf8)
            let status = try run("/usr/bin/env", ["dot", "-Tsvg", dotFile.path, "-o", svgFile.path])
            #expect(status == 0, "dot -Tsvg rejected the graph of \(file)")
            let svg = try String(contentsOf: svgFile, encoding: .utf8)
            #expect(svg.contains("<svg"), "\(file)")
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
