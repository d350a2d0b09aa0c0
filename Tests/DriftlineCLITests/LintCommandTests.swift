import Foundation
import Testing
import TestSupport

/// `driftline lint` as a user runs it.
@Suite struct LintCommandTests {
    @Test func validFilePrintsOk() throws {
        let file = "topologies/reference/phishing-sgd-0.1.yaml"
        let result = try DriftlineBinary.run(["lint", file])
        #expect(result.status == 0)
        #expect(result.stdout == "\(file): ok\n")
    }

    @Test func invalidFilePrintsEveryErrorAndFails() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lint-\(UUID().uuidString).yaml")
        try """
            name: t
            schema: {target: y}
            stages:
              learn:
                model: logistic_regression
                optimizer: {name: sgd, lr: fast}
                on_drift: rest
              detect:
                concept: {detector: adwin}
                checkpoint: {every_events: often}
            """.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try DriftlineBinary.run(["lint", url.path])
        #expect(result.status == 1)
        #expect(result.stdout == """
            \(url.path):6:32: stages.learn.optimizer.lr: expected a positive number, got "fast"
            \(url.path):7:15: stages.learn.on_drift: expected one of none, reset, challenger, got "rest" \
            (did you mean "reset"?)
            \(url.path):10:32: stages.detect.checkpoint.every_events: expected a positive integer, got "often"

            """)
    }
}
