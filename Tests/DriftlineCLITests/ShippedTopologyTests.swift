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
        let result = try CLIRunner.run(["lint"] + Self.files)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout == Self.files.map { "\($0): ok\n" }.joined())
    }

    /// The README's main job finds all four concept changes of the sine stream, each within a
    /// few hundred events, and learns as River's reference run with the same settings does
    /// (REFERENCE.md, "reset LogisticRegression on ADWIN(0.002) alarm (keep scaler)").
    @Test func quickstartCatchesEveryDriftOfTheSineStream() throws {
        let summary = try EvaluateRun.summary(arguments: [
            "evaluate", "topologies/quickstart.yaml", "--file", Fixtures.url("sine_drift_100k.jsonl").path,
        ])
        #expect(summary.events == 100_000)
        #expect(summary.resets == 4)
        #expect(summary.detectionIndices == [20031, 40031, 60031, 80319])
        for (detection, drift) in zip(summary.detectionIndices, [20_000, 40_000, 60_000, 80_000]) {
            #expect((drift..<drift + 500).contains(detection))
        }
        #expect(abs(try #require(summary.metrics["accuracy"]) - 0.869710) <= 1e-6)
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
