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
