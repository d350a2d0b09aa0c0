import Foundation
import Numerics
import OnlineML
import Testing
import TestSupport

/// |a − b| ≤ tol·max(|a|, |b|), or both tiny.
func close(_ a: Double, _ b: Double, relative tol: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
    if a == b { return true }
    return abs(a - b) <= absolute || a.isApproximatelyEqual(to: b, relativeTolerance: tol)
}

/// Events of a JSONL fixture, parsed with our own parser.
func fixtureEvents(_ name: String) throws -> [Event] {
    try Fixtures.lines(name).map { line in try JSONEventParser.parse(line) }
}

/// Rounds like Python's `f"{x:.6f}"` comparison: equal when printed to 6 decimals.
func printedEqual(_ x: Double, _ printed: Double, decimals: Int = 6) -> Bool {
    String(format: "%.\(decimals)f", x) == String(format: "%.\(decimals)f", printed)
}

/// SplitMix64: a tiny seeded generator for test streams (tests only).
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A mixed stream: numeric fields (sometimes absent or null), categorical fields with unseen
/// categories over time, a boolean, and a target that depends on them.
func mixedEvents(count: Int, seed: UInt64, regression: Bool = false) -> [Event] {
    var rng = TestRandom(seed: seed)
    var events: [Event] = []
    for t in 0..<count {
        var e = Event()
        var score = 0.0
        for j in 0..<4 {
            let roll = rng.uniform()
            if roll < 0.08 { continue }  // absent
            if roll < 0.12 {
                e.append("x\(j)", .null)
                continue
            }
            let x = (rng.uniform() - 0.5) * Double(j + 1) * 10 + Double(j)
            score += x * (j % 2 == 0 ? 0.3 : -0.2)
            e.append("x\(j)", .number(x))
        }
        let color = ["red", "green", "blue", "cyan"][rng.int(t < count / 2 ? 3 : 4)]
        e.append("color", .string(color))
        if color == "red" { score += 1 }
        if rng.uniform() < 0.9 { e.append("city", .string("c\(rng.int(5 + t / 10))")) }
        let flag = rng.uniform() < 0.5
        e.append("flag", .bool(flag))
        if flag { score -= 0.5 }
        if t > count / 3 { e.append("late", .number(rng.uniform())) }
        if regression {
            e.append("y", .number(score + rng.uniform()))
        } else {
            e.append("y", .bool(score + (rng.uniform() - 0.5) > 0))
        }
        events.append(e)
    }
    return events
}

/// Every transformer configuration the contract checks cover.
let transformerConfigurations: [(String, TransformerConfiguration)] = [
    ("standard", .init(scaling: .standard)),
    ("min_max", .init(scaling: .minMax)),
    ("none", .init(scaling: .none)),
    ("hashing", .init(scaling: .standard, categorical: .hashing(bits: 4))),
    ("mean+indicator", .init(scaling: .standard, missing: .mean, missingIndicator: true)),
    ("constant+clip", .init(scaling: .standard, missing: .constant(0.5), inputClip: -8...8, outputClip: 3)),
]

/// Every learner configuration the contract checks cover (classification).
let classifierConfigurations: [(String, LinearModelConfiguration)] = [
    ("sgd", .init(loss: .log, optimizer: .sgd(0.1))),
    ("sgd-inverse-l2", .init(loss: .log, optimizer: .sgd(learningRate: .inverseScaling(0.5, power: 0.5)), l2: 0.01)),
    ("sgd-l1-hinge", .init(loss: .hinge, optimizer: .sgd(0.05), l1: 0.001)),
    ("adagrad", .init(loss: .log, optimizer: .adaGrad())),
    ("adam", .init(loss: .log, optimizer: .adam(0.05), interceptLearningRate: .constant(0.1))),
    ("ftrl", .init(loss: .log, optimizer: .ftrlProximal, clipGradient: 5)),
]

/// Regression learner configurations.
let regressorConfigurations: [(String, LinearModelConfiguration)] = [
    ("sgd", .init(loss: .squared, optimizer: .sgd(0.01))),
    ("adagrad", .init(loss: .squared, optimizer: .adaGrad())),
    ("adam", .init(loss: .squared, optimizer: .adam())),
    ("ftrl", .init(loss: .squared, optimizer: .ftrlProximal)),
]

func classifierPipeline(_ transformer: TransformerConfiguration, _ learner: LinearModelConfiguration) -> ModelPipeline {
    ModelPipeline(configuration: .init(
        task: .binaryClassification, schema: Schema(target: "y"), transformer: transformer, learner: learner))
}

func bits(_ x: Double) -> UInt64 { x.bitPattern }
