import Foundation
@testable import OnlineML
import TestSupport
import Testing

/// `CanonicalWriter.number` formats in place (`CanonicalJSON.formatNumber`): its bytes must be
/// the canonical number text for every value — `description` (the shortest round-trip form),
/// `null` when not finite — checked against `description` itself, not the shared formatter.
@Suite struct CanonicalWriterNumberTests {
    static func writer(_ x: Double) -> [UInt8] {
        CanonicalWriter.bytes { $0.number(x) }
    }

    static func canonical(_ x: Double) -> [UInt8] {
        x.isFinite ? Array(x.description.utf8) : Array("null".utf8)
    }

    @Test func specialValuesMatchCanonicalJSON() {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, .pi, -.pi, 1e15, -1e15, 1e15 - 1, 1e15 + 1,
            999_999_999_999_999.9, 1e16, 1e17, 1e21, 1e22, 1e23, 1e-5, 1e-4, 1e-7, 123_456_789.123,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude,
            -.leastNonzeroMagnitude, .ulpOfOne, 1 + .ulpOfOne, 1 - .ulpOfOne / 2, 9_007_199_254_740_992, 9_007_199_254_740_994,
            .infinity, -.infinity, .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF8_0000_0000_0001),
        ]
        for e in -330...310 {
            let p = pow(10.0, Double(e))
            values += [p, p.nextUp, p.nextDown, -p, 5 * p, 2.5 * p]
        }
        for k in 0...1074 { values.append(Double(sign: .plus, exponent: k - 1074, significand: 1)) }
        for x in values {
            #expect(Self.writer(x) == Self.canonical(x), "\(x.bitPattern)")
        }
        // The text itself, for a few values.
        #expect(Self.writer(0.1) == Array("0.1".utf8))
        #expect(Self.writer(1) == Array("1.0".utf8))
        #expect(Self.writer(-0.0) == Array("-0.0".utf8))
        #expect(Self.writer(.nan) == Array("null".utf8))
        #expect(Self.writer(1e300) == Array("1e+300".utf8))
    }

    /// Integers as `String(i)` writes them, and a writer that flushes its buffer (strings
    /// longer than ``CanonicalWriter/capacity``, escaped ones) keeps everything written, in order.
    @Test func integersAndFlushesMatchCanonicalJSON() {
        for i: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 999_999_999, 1_000_000_000, .max, .min, .max - 1, .min + 1] {
            #expect(CanonicalWriter.bytes { $0.integer(i) } == Array(String(i).utf8))
        }
        let long = String(repeating: "abcdefghij", count: 50)
        let longer = String(repeating: long, count: 3)
        let escaped = "tab\there \"quoted\" \u{1}" + long
        let out = CanonicalWriter.bytes { out in
            out.raw("{")
            out.string(long)
            out.raw(":")
            out.string(escaped)
            out.raw(",")
            out.string(longer)
            out.raw(":")
            out.number(0.1)
            out.raw("}")
        }
        var expected: [UInt8] = Array("{".utf8)
        CanonicalJSON.writeString(long, into: &expected)
        expected.append(UInt8(ascii: ":"))
        CanonicalJSON.writeString(escaped, into: &expected)
        expected.append(UInt8(ascii: ","))
        CanonicalJSON.writeString(longer, into: &expected)
        expected.append(contentsOf: ":0.1}".utf8)
        #expect(longer.utf8.count > CanonicalWriter.capacity)
        #expect(out == expected)
    }

    /// Random bit patterns (every exponent, NaNs and infinities included), seeded.
    @Test func randomBitPatternsMatchCanonicalJSON() {
        var random = SeededRandom(seed: 20_261_128)
        var mismatches = 0
        for _ in 0..<300_000 {
            let x = Double(bitPattern: random.next())
            if Self.writer(x) != Self.canonical(x) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    /// Every number in the reference fixtures, and the probabilities and losses a model gives.
    @Test func fixtureNumbersMatchCanonicalJSON() throws {
        var count = 0, mismatches = 0
        for name in ["phishing.jsonl", "trump_approval.jsonl", "numeric_drift_50k.jsonl", "sine_drift_100k.jsonl"] {
            let text = try String(contentsOf: Fixtures.url(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let event = try JSONEventParser.parse(String(line))
                for field in event.fields {
                    guard case .number(let x) = field.value else { continue }
                    for v in [x, -x, 1 / (1 + exp(-x)), -log(1 / (1 + exp(-x)))] {
                        if Self.writer(v) != Self.canonical(v) { mismatches += 1 }
                        count += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
        #expect(count > 1_000_000)
    }
}
