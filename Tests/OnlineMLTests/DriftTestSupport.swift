import Foundation
import Numerics
import TestSupport

@testable import OnlineML

/// Helpers shared by the drift tests.
enum DriftFixtures {
    /// `numeric_drift_50k.jsonl` as numbers (each line is `{"x": value}`).
    static let numericDrift: [Double] = {
        let lines = (try? Fixtures.lines("numeric_drift_50k.jsonl")) ?? []
        return lines.map { line in
            let body = line.drop(while: { $0 != ":" }).dropFirst().prefix(while: { $0 != "}" })
            return Double(body.trimmingCharacters(in: .whitespaces))!
        }
    }()

    /// True change positions in `numeric_drift_50k.jsonl` (see its meta file).
    static let numericDriftChanges = [10000, 17500, 25000, 32500, 42500]

    /// A 0/1 error stream: error rate `before` up to `change`, `after` from there, seeded.
    static func errorStream(
        count: Int, change: Int, before: Double, after: Double, seed: UInt64
    ) -> [Double] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let rate = index < change ? before : after
            return rng.nextUnitDouble() < rate ? 1 : 0
        }
    }
}

/// Encodes a detector's whole state to JSON bytes, to compare states and to round-trip them.
func encodedState<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
}

/// Relative-tolerance comparison for floats in tests.
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    a.isApproximatelyEqual(to: b, relativeTolerance: tolerance)
}
