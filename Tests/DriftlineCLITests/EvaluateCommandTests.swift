import Foundation
import Testing
import TestSupport

/// `driftline evaluate` input handling, output files and failures, as a user sees them.
@Suite struct EvaluateCommandTests {
    private func temporaryURL(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("evaluate-\(UUID().uuidString)\(suffix)")
    }

    /// A CSV copy of phishing (header of field names) gives the JSONL numbers; a bad line is
    /// reported with its line number and does not stop the run.
    @Test func csvInputWithABadLine() throws {
        var lines: [String] = []
        var header: [String] = []
        for line in try Fixtures.lines("phishing.jsonl") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if header.isEmpty { header = object.keys.sorted() }
            lines.append(header.map { "\((object[$0] as? NSNumber)?.doubleValue ?? .nan)" }.joined(separator: ","))
        }
        lines.insert("0.5,0.5", at: 100)  // data line 101 → file line 102 (after the header)
        let url = temporaryURL(".csv")
        try ([header.joined(separator: ",")] + lines).joined(separator: "\n").write(to: url, atomically: true,
                                                                                    encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }

        let summary = try EvaluateRun.summary(arguments: [
            "evaluate", "topologies/reference/phishing-sgd-0.1.yaml", "--file", url.path,
        ])
        #expect(summary.events == 1251)
        #expect(summary.labelled == 1250)
        #expect(summary.rejected == 1)
        let reasons = try #require((summary.json["rejected"] as? [String: Any])?["reasons"] as? [[String: Any]])
        #expect(reasons.count == 1)
        #expect(reasons.first?["first_line"] as? Int == 102)
        #expect(reasons.first?["reason"] as? String == "expected 10 CSV fields, got 2")
        #expect(abs(try #require(summary.metrics["accuracy"]) - 0.889600) <= 1e-6)
        #expect(abs(try #require(summary.metrics["logloss"]) - 0.270594) <= 1e-6)
        #expect(abs(try #require(summary.intercept) - -0.400498) <= 1e-6)
    }

    @Test func formatOptionOverridesTheExtension() throws {
        let url = temporaryURL(".txt")
        try "x\n1\n2\nnot-a-number\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = try EvaluateRun.summary(arguments: [
            "evaluate", "topologies/reference/numeric-drift-page-hinkley.yaml", "--file", url.path, "--format", "csv",
        ])
        #expect(summary.events == 3)
        #expect(summary.rejected == 1)
        let reasons = try #require((summary.json["rejected"] as? [String: Any])?["reasons"] as? [[String: Any]])
        #expect(reasons.first?["first_line"] as? Int == 4)
    }

    @Test func traceHasOneLinePerRecord() throws {
        let traceURL = temporaryURL(".jsonl")
        defer { try? FileManager.default.removeItem(at: traceURL) }
        _ = try EvaluateRun.summary(topology: "trump-sgd-0.01", data: "trump_approval.jsonl",
                                    extra: ["--trace", traceURL.path])
        let lines = try String(contentsOf: traceURL, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1001)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["index"] as? Int == 0)
        #expect(first["line"] as? Int == 1)
        // The first prediction of a zero model is 0; its loss is the squared label.
        let label = try #require((first["label"] as? NSNumber)?.doubleValue)
        #expect((first["prediction"] as? NSNumber)?.doubleValue == 0)
        // (Foundation's JSON reader may be one ulp off, hence the tolerance.)
        let loss = try #require((first["loss"] as? NSNumber)?.doubleValue)
        #expect(abs(loss - label * label) <= 1e-12 * label * label)
        #expect(first["probability"] is NSNull)
        #expect((first["alarms"] as? [Any])?.isEmpty == true)
    }

    @Test func modelDocumentCarriesVersionAndHashOfTheSummary() throws {
        let modelURL = temporaryURL(".json")
        defer { try? FileManager.default.removeItem(at: modelURL) }
        let summary = try EvaluateRun.summary(topology: "sine-sgd-0.1-reset-model", data: "sine_drift_100k.jsonl",
                                              extra: ["--model-out", modelURL.path])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: modelURL)) as? [String: Any])
        let model = try #require(summary.json["model"] as? [String: Any])
        #expect(document["format"] as? String == "driftline.model")
        #expect(document["content_hash"] as? String == model["content_hash"] as? String)
        // 100 publish points (every 1000 learned events, counted from each reset), 4 resets,
        // and 2 versions in progress completed by a reset (at 20031 and 80319; the resets at
        // 40031 and 60031 fall exactly on a publish point).
        #expect(document["version"] as? Int == model["version"] as? Int)
        #expect(model["version"] as? Int == 106)
        let offsets = try #require((document["training_offsets"] as? [[String: Any]])?.first)
        #expect(offsets["first"] as? Int == 80_320)
        #expect(offsets["last"] as? Int == 99_999)
    }

    @Test func invalidTopologyFailsWithLocatedErrors() throws {
        let url = temporaryURL(".yaml")
        try "name: t\nstages:\n  learn: {model: logistic_regression}\n".write(to: url, atomically: true,
                                                                              encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try DriftlineBinary.run(["evaluate", url.path, "--file", Fixtures.url("phishing.jsonl").path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(url.path):3:10: schema.target: a learn stage needs a target field"))
    }

    @Test func missingInputFileFails() throws {
        let result = try DriftlineBinary.run(["evaluate", "topologies/reference/phishing-sgd-0.1.yaml",
                                        "--file", "/nonexistent/events.jsonl"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/events.jsonl: cannot read"))
    }
}
