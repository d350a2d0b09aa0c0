import Foundation
import Testing
import TestSupport

/// The quickstart and example topologies, run through the CLI as a user would before deploying.
@Suite struct ShippedTopologyTests {
    static let files = [
        "topologies/quickstart.yaml",
        "topologies/examples/classification.yaml",
        "topologies/examples/regression.yaml",
    ]

    @Test func lintAcceptsEach() throws {
        let result = try DriftlineBinary.run(["lint"] + Self.files)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout == Self.files.map { "\($0): ok\n" }.joined())
    }

    /// The README's main job on the stream `driftline generate` writes: the one concept change
    /// is found within a few hundred events, the learner restarts once, and that restart pays
    /// (higher prequential accuracy than the same topology with `on_drift: none`).
    @Test func quickstartCatchesTheGeneratedDriftAndTheResetPays() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quickstart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.jsonl")
        let generated = try DriftlineBinary.run(["generate", "--events", "60000", "--drift-at", "30000",
                                           "--output", events.path])
        #expect(generated.status == 0, "\(generated.stderr)")

        let summary = try EvaluateRun.summary(arguments: ["evaluate", "topologies/quickstart.yaml", "--file", events.path])
        #expect(summary.events == 60_000)
        #expect(summary.resets == 1)
        #expect(summary.detectionIndices.count == 1)
        #expect((30_000..<30_500).contains(summary.detectionIndices.first ?? -1), "\(summary.detectionIndices)")

        let quickstart = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("topologies/quickstart.yaml"),
                                    encoding: .utf8)
        #expect(quickstart.contains("    on_drift: reset\n"))
        let withoutReset = directory.appendingPathComponent("no-reset.yaml")
        try quickstart.replacingOccurrences(of: "    on_drift: reset\n", with: "    on_drift: none\n")
            .write(to: withoutReset, atomically: true, encoding: .utf8)
        let baseline = try EvaluateRun.summary(arguments: ["evaluate", withoutReset.path, "--file", events.path])
        #expect(baseline.resets == 0)
        let accuracy = try #require(summary.metrics["accuracy"])
        let baselineAccuracy = try #require(baseline.metrics["accuracy"])
        #expect(accuracy > baselineAccuracy)
    }

    /// The regression example runs over the approval series without a reset (alarms only).
    @Test func regressionExampleReportsWithoutResetting() throws {
        let summary = try EvaluateRun.summary(arguments: [
            "evaluate", "topologies/examples/regression.yaml", "--file", Fixtures.url("trump_approval.jsonl").path,
        ])
        #expect(summary.labelled == summary.events)
        #expect(summary.resets == 0)
        let rmse = try #require(summary.metrics["rmse"])
        #expect(rmse.isFinite && rmse > 0)
    }
}
