import Foundation
import Testing
import TestSupport

/// `driftline evaluate` on every reference topology reproduces REFERENCE.md (River 0.26.1):
/// metrics and intercepts to 1e-6 (they are printed with six decimals), detection indices exactly.
@Suite struct EvaluateReferenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var topology: String
        var data: String
        var metrics: [String: Double]
        var intercept: Double?
        var detections: [Int]
        var testDescription: String { topology }
    }

    static let phishing: [Case] = [
        Case(topology: "phishing-sgd-0.1", data: "phishing.jsonl",
             metrics: ["accuracy": 0.889600, "logloss": 0.270594], intercept: -0.400498, detections: []),
        Case(topology: "phishing-sgd-0.01", data: "phishing.jsonl",
             metrics: ["accuracy": 0.892800, "logloss": 0.330112], intercept: -0.354066, detections: []),
        Case(topology: "phishing-sgd-0.1-l2-0.001", data: "phishing.jsonl",
             metrics: ["accuracy": 0.889600, "logloss": 0.270594], intercept: -0.398397, detections: []),
        Case(topology: "phishing-adam-0.1", data: "phishing.jsonl",
             metrics: ["accuracy": 0.877600, "logloss": 0.313487], intercept: -0.437177, detections: []),
        Case(topology: "phishing-adam-0.01", data: "phishing.jsonl",
             metrics: ["accuracy": 0.894400, "logloss": 0.285686], intercept: -0.387957, detections: []),
        Case(topology: "phishing-adagrad-0.1", data: "phishing.jsonl",
             metrics: ["accuracy": 0.892800, "logloss": 0.283890], intercept: -0.365425, detections: []),
    ]

    static let trump: [Case] = [
        Case(topology: "trump-sgd-0.01", data: "trump_approval.jsonl",
             metrics: ["mae": 1.314548, "rmse": 3.911981], intercept: 12.148984, detections: []),
        Case(topology: "trump-sgd-0.01-intercept-lr-0.1", data: "trump_approval.jsonl",
             metrics: ["mae": 0.558735, "rmse": 2.235314], intercept: 35.617671, detections: []),
        Case(topology: "trump-adagrad-0.1", data: "trump_approval.jsonl",
             metrics: ["mae": 2.488304, "rmse": 6.454699], intercept: 39.280193, detections: []),
        Case(topology: "trump-adam-0.1", data: "trump_approval.jsonl",
             metrics: ["mae": 2.104519, "rmse": 6.112526], intercept: 29.343609, detections: []),
    ]

    static let numericDrift: [Case] = [
        Case(topology: "numeric-drift-adwin-clock-32", data: "numeric_drift_50k.jsonl", metrics: [:],
             intercept: nil, detections: [10015, 17535, 25119, 33151, 33951, 35231, 36127, 37247, 42591]),
        Case(topology: "numeric-drift-adwin-clock-1", data: "numeric_drift_50k.jsonl", metrics: [:],
             intercept: nil, detections: [10009, 17529, 25100, 33203, 34038, 35381, 36192, 37226, 42586]),
        Case(topology: "numeric-drift-page-hinkley", data: "numeric_drift_50k.jsonl", metrics: [:], intercept: nil,
             detections: [
                 639, 1314, 2933, 4487, 5708, 6192, 7177, 8087, 9470, 10012, 11944, 12241, 14143, 16690, 17508,
                 18369, 20560, 20927, 22216, 22758, 25086, 26214, 27507, 28450, 29054, 31552, 32881, 33530, 34126,
                 34798, 35387, 35707, 36196, 36975, 37700, 38556, 40499, 42766, 43017, 43158, 43574, 43887, 44357,
                 45065, 45713, 46311, 46713, 47043, 47346, 47679, 47910, 48372, 48497, 48729, 49239, 49467, 49752,
             ]),
    ]

    @Test(arguments: phishing + trump + numericDrift)
    func referenceNumbers(_ reference: Case) throws {
        let summary = try EvaluateRun.summary(topology: reference.topology, data: reference.data)
        #expect(summary.events == (try Fixtures.lines(reference.data).count))
        #expect(summary.rejected == 0)
        for (name, expected) in reference.metrics {
            let value = try #require(summary.metrics[name], "metric \(name)")
            #expect(abs(value - expected) <= 1e-6, "\(name): \(value) vs River \(expected)")
        }
        if let expected = reference.intercept {
            let intercept = try #require(summary.intercept)
            #expect(abs(intercept - expected) <= 1e-6, "intercept \(intercept) vs River \(expected)")
        } else {
            #expect(summary.intercept == nil)
        }
        #expect(summary.detectionIndices == reference.detections)
    }

    /// The final weights of `StandardScaler | LogisticRegression SGD(0.1)`, printed in full by
    /// REFERENCE.md, come back through `--model-out` to 1e-9 relative.
    @Test func phishingWeightsThroughModelOut() throws {
        let modelURL = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: modelURL) }
        _ = try EvaluateRun.summary(topology: "phishing-sgd-0.1", data: "phishing.jsonl",
                                    extra: ["--model-out", modelURL.path])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: modelURL)) as? [String: Any])
        let weights = try #require(EvaluateRun.weights(in: document))
        let river: [String: Double] = [
            "empty_server_form_handler": -1.8020681139138652, "popup_window": -1.9129723543042834,
            "https": -1.242054777443942, "request_from_other_domain": -0.5514160814020197,
            "anchor_from_other_domain": 0.2467407702650704, "is_popular": 0.176126810771945,
            "long_url": -0.4089115951955724, "age_of_domain": -0.18306008536055804,
            "ip_in_url": 0.17536770195408036,
        ]
        #expect(Set(weights.keys) == Set(river.keys))
        for (name, expected) in river {
            let value = try #require(weights[name])
            #expect(abs(value - expected) <= 1e-9 * abs(expected), "\(name): \(value) vs River \(expected)")
        }
    }

    struct SineCase: Sendable, CustomTestStringConvertible {
        var topology: String
        var accuracy: Double
        var logloss: Double
        var alarms: [Int]
        var accuracyAfterDrift: [Double]
        var testDescription: String { topology }
    }

    static let sine: [SineCase] = [
        SineCase(topology: "sine-sgd-0.1-no-reset", accuracy: 0.868740, logloss: 0.370256, alarms: [],
                 accuracyAfterDrift: [0.835, 0.764, 0.732, 0.904]),
        SineCase(topology: "sine-sgd-0.1-reset-model", accuracy: 0.869710, logloss: 0.369714,
                 alarms: [20031, 40031, 60031, 80319], accuracyAfterDrift: [0.896, 0.781, 0.753, 0.898]),
        SineCase(topology: "sine-sgd-0.1-reset-pipeline", accuracy: 0.869310, logloss: 0.369897,
                 alarms: [20031, 40031, 60031, 80319], accuracyAfterDrift: [0.883, 0.778, 0.753, 0.885]),
        SineCase(topology: "sine-sgd-0.01-no-reset", accuracy: 0.862180, logloss: 0.389711, alarms: [],
                 accuracyAfterDrift: [0.398, 0.495, 0.534, 0.673]),
        SineCase(topology: "sine-sgd-0.01-reset-model", accuracy: 0.874500, logloss: 0.373400,
                 alarms: [20031, 40031, 60031, 80063], accuracyAfterDrift: [0.89, 0.778, 0.744, 0.884]),
        SineCase(topology: "sine-sgd-0.01-reset-pipeline", accuracy: 0.874570, logloss: 0.373514,
                 alarms: [20031, 40031, 60031, 80063], accuracyAfterDrift: [0.886, 0.78, 0.744, 0.888]),
    ]

    /// REFERENCE.md's sine drift table: accuracy, log loss, ADWIN alarms and the accuracy over the
    /// first 1000 events after each true drift (from the per-event trace).
    @Test(arguments: sine)
    func sineDriftTable(_ reference: SineCase) throws {
        let traceURL = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: traceURL) }
        let summary = try EvaluateRun.summary(topology: reference.topology, data: "sine_drift_100k.jsonl",
                                              extra: ["--trace", traceURL.path])
        #expect(summary.events == 100_000)
        #expect(abs(try #require(summary.metrics["accuracy"]) - reference.accuracy) <= 1e-6)
        #expect(abs(try #require(summary.metrics["logloss"]) - reference.logloss) <= 1e-6)
        #expect(summary.detectionIndices == reference.alarms)
        #expect(summary.resets == reference.alarms.count)

        let trace = try String(contentsOf: traceURL, encoding: .utf8).split(separator: "\n")
        #expect(trace.count == 100_000)
        var accuracies: [Double] = []
        for drift in [20_000, 40_000, 60_000, 80_000] {
            var correct = 0
            for line in trace[drift..<(drift + 1000)] {
                let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let prediction = try #require((row["prediction"] as? NSNumber)?.doubleValue)
                let label = try #require((row["label"] as? NSNumber)?.doubleValue)
                if prediction == label { correct += 1 }
            }
            accuracies.append(Double(correct) / 1000)
        }
        #expect(accuracies == reference.accuracyAfterDrift)
        // Alarms are also in the trace, on the event that raised them.
        for alarm in reference.alarms {
            let row = try #require(try JSONSerialization.jsonObject(with: Data(trace[alarm].utf8)) as? [String: Any])
            #expect((row["index"] as? Int) == alarm)
            #expect((row["alarms"] as? [[String: Any]])?.first?["detector"] as? String == "adwin")
        }
    }
}

/// Runs `driftline evaluate` on a reference topology and fixture, and reads its summary.
enum EvaluateRun {
    struct Summary {
        var json: [String: Any]
        var events: Int
        var labelled: Int
        var rejected: Int
        var metrics: [String: Double]
        var intercept: Double?
        var detectionIndices: [Int]
        var resets: Int
    }

    static func summary(topology: String, data: String, extra: [String] = []) throws -> Summary {
        try summary(arguments: ["evaluate", "topologies/reference/\(topology).yaml",
                                "--file", Fixtures.url(data).path] + extra)
    }

    static func summary(arguments: [String]) throws -> Summary {
        let result = try DriftlineBinary.run(arguments)
        guard result.status == 0 else {
            throw DriftlineBinary.Failure("exit \(result.status): \(result.stderr)")
        }
        return try parse(result.stdout)
    }

    static func parse(_ stdout: String) throws -> Summary {
        let lines = stdout.split(separator: "\n")
        guard lines.count == 1,
              let json = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        else {
            throw DriftlineBinary.Failure("expected one JSON line, got: \(stdout.prefix(500))")
        }
        let model = json["model"] as? [String: Any]
        let rejected = json["rejected"] as? [String: Any]
        return Summary(
            json: json,
            events: json["events"] as? Int ?? -1,
            labelled: json["labelled"] as? Int ?? -1,
            rejected: rejected?["count"] as? Int ?? -1,
            metrics: (json["metrics"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue },
            intercept: (model?["intercept"] as? NSNumber)?.doubleValue,
            detectionIndices: (json["detections"] as? [[String: Any]] ?? []).compactMap { $0["index"] as? Int },
            resets: json["resets"] as? Int ?? -1
        )
    }

    /// Feature weights of a model document.
    static func weights(in document: [String: Any]) -> [String: Double]? {
        (document["weights"] as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}
