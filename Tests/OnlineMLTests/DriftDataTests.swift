import Foundation
import Testing

@testable import OnlineML

/// The windowed data-drift tests and their building blocks.
@Suite struct DriftDataTests {
    // MARK: Kolmogorov–Smirnov

    /// a = {1, 2, 3, 4}, b = {2.5, 5, 6}: F_a − F_b peaks at x = 4 with 1 − 1/3 = 2/3.
    @Test func ksStatisticByHand() {
        let d = KolmogorovSmirnov.statistic([4, 1, 3, 2], [6, 2.5, 5])
        #expect(isClose(d, 2.0 / 3.0))
        #expect(KolmogorovSmirnov.statistic([1, 2, 3], [1, 2, 3]) == 0)
        // Ties across samples move both distribution functions together.
        #expect(isClose(KolmogorovSmirnov.statistic([1, 1, 2], [1, 2, 2]), 1.0 / 3.0))
    }

    /// Asymptotic p-value of the hand example: λ = (2/3)·sqrt(12/7); Q(λ) by the series.
    @Test func ksAsymptoticPValueByHand() {
        let lambda = 2.0 / 3.0 * (12.0 / 7.0).squareRoot()
        var q = 0.0
        for k in 1...50 {
            let kk = Double(k)
            q += (k % 2 == 1 ? 2 : -2) * exp(-2 * kk * kk * lambda * lambda)
        }
        let p = KolmogorovSmirnov.asymptoticPValue(statistic: 2.0 / 3.0, n: 4, m: 3)
        #expect(isClose(p, q, tolerance: 1e-12))
    }

    /// Q(1) = 1 − K(1) = 0.26999967167735456; both series forms agree across their switch.
    @Test func kolmogorovSurvivalKnownValues() {
        #expect(
            isClose(
                KolmogorovSmirnov.kolmogorovSurvival(1.0), 0.26999967167735456, tolerance: 1e-12))
        #expect(KolmogorovSmirnov.kolmogorovSurvival(0) == 1)
        #expect(KolmogorovSmirnov.kolmogorovSurvival(10) < 1e-80)
        for lambda in stride(from: 0.3, through: 3.0, by: 0.1) {
            var alternating = 0.0
            for k in 1...200 {
                let kk = Double(k)
                alternating += (k % 2 == 1 ? 2 : -2) * exp(-2 * kk * kk * lambda * lambda)
            }
            #expect(abs(KolmogorovSmirnov.kolmogorovSurvival(lambda) - alternating) < 1e-12)
        }
    }

    /// Exact p-values by hand: disjoint samples of 3 and 3: P(D = 1) = 2 / C(6, 3) = 0.1.
    /// Samples of 2 and 2: D ≥ 1/2 always (p = 1); D = 1 on 2 of the 6 orderings (p = 1/3).
    @Test func ksExactPValueByHand() {
        let disjoint = KolmogorovSmirnov.test([1, 2, 3], [4, 5, 6])
        #expect(disjoint.isExact)
        #expect(disjoint.statistic == 1)
        #expect(isClose(disjoint.pValue, 0.1))
        #expect(isClose(KolmogorovSmirnov.exactPValue(statistic: 0.5, n: 2, m: 2), 1))
        #expect(isClose(KolmogorovSmirnov.exactPValue(statistic: 1, n: 2, m: 2), 1.0 / 3.0))
        #expect(KolmogorovSmirnov.exactPValue(statistic: 0, n: 5, m: 7) == 1)
    }

    // MARK: Incomplete gamma and chi-square

    @Test func incompleteGammaKnownValues() {
        for x in [0.01, 0.5, 1, 2.5, 7, 30] as [Double] {
            #expect(isClose(IncompleteGamma.lowerRegularized(1, x), 1 - exp(-x), tolerance: 1e-13))
            #expect(
                isClose(
                    IncompleteGamma.lowerRegularized(0.5, x), erf(x.squareRoot()), tolerance: 1e-13)
            )
            #expect(
                isClose(
                    IncompleteGamma.upperRegularized(0.5, x), erfc(x.squareRoot()), tolerance: 1e-12
                ))
            // Q(5, x) = e^{−x} Σ_{i<5} x^i / i!
            let poisson = exp(-x) * (1 + x + x * x / 2 + x * x * x / 6 + x * x * x * x / 24)
            #expect(isClose(IncompleteGamma.upperRegularized(5, x), poisson, tolerance: 1e-12))
            #expect(
                isClose(
                    IncompleteGamma.lowerRegularized(3.7, x)
                        + IncompleteGamma.upperRegularized(3.7, x), 1,
                    tolerance: 1e-14))
        }
        // Large shape (a chi-square with thousands of categories): P(a, a) → 1/2 + 1/(3·sqrt(2πa)).
        let a = 2500.0
        let median = 0.5 + 1 / (3 * (2 * Double.pi * a).squareRoot())
        #expect(isClose(IncompleteGamma.lowerRegularized(a, a), median, tolerance: 1e-4))
        #expect(
            isClose(
                IncompleteGamma.lowerRegularized(a, a) + IncompleteGamma.upperRegularized(a, a), 1,
                tolerance: 1e-13))
        #expect(IncompleteGamma.lowerRegularized(2, 0) == 0)
        #expect(IncompleteGamma.upperRegularized(2, 0) == 1)
    }

    /// Reference a:10 b:20 vs current a:20 b:10: every expected count is 15, χ² = 4·25/15,
    /// dof 1, p = Q(1/2, χ²/2) = erfc(sqrt(χ²/2)).
    @Test func chiSquareByHand() {
        let result = ChiSquareTest.test(
            reference: [("b", 20), ("a", 10)], current: [("a", 20), ("b", 10)])
        #expect(isClose(result.statistic, 100.0 / 15.0))
        #expect(result.degreesOfFreedom == 1)
        #expect(isClose(result.pValue, erfc((100.0 / 30.0).squareRoot()), tolerance: 1e-12))
        // A category seen only in one sample still counts: a and c, so dof = 1.
        let widened = ChiSquareTest.test(reference: [("a", 10)], current: [("a", 5), ("c", 5)])
        #expect(widened.degreesOfFreedom == 1)
        let single = ChiSquareTest.test(reference: [("a", 10)], current: [("a", 7)])
        #expect(single.pValue == 1 && single.statistic == 0)
    }

    // MARK: PSI

    @Test func psiByHand() {
        let reference = (0..<1000).map(Double.init)
        let cuts = PopulationStabilityIndex.cutPoints(sortedReference: reference, bins: 10)
        #expect(cuts == [100, 200, 300, 400, 500, 600, 700, 800, 900])
        #expect(PopulationStabilityIndex.index(reference: reference, current: reference) == 0)
        // Everything in the top bin: shares r = 99/1000 there, c = 1; elsewhere c floored.
        let current = [Double](repeating: 950, count: 100)
        let counts = PopulationStabilityIndex.histogram(reference, cuts: cuts)
        var expected = 0.0
        for (bin, count) in counts.enumerated() {
            let r = Double(count) / 1000
            let c = bin == 9 ? 1.0 : PopulationStabilityIndex.minimumShare
            expected += (c - r) * log(c / r)
        }
        #expect(
            isClose(
                PopulationStabilityIndex.index(reference: reference, current: current), expected))
        #expect(expected > 2)
    }

    // MARK: FeatureDriftMonitor

    static func numericMonitor(_ test: FeatureDriftMonitor.NumericTest) -> FeatureDriftMonitor {
        FeatureDriftMonitor(
            configuration: .init(
                numericTest: test, categoricalAlpha: 0.001, referenceSize: 2000, windowSize: 500))
    }

    /// Feeds `count` events of two numeric features and one categorical feature; `shiftAt`
    /// moves the mean of "a" by one standard deviation, `categoryShiftAt` reverses "c".
    static func feed(
        _ monitor: inout FeatureDriftMonitor, count: Int, seed: UInt64, shiftAt: Int? = nil,
        categoryShiftAt: Int? = nil
    ) -> [DriftDetection] {
        var random = SeededRandom(seed: seed)
        var found: [DriftDetection] = []
        for index in 0..<count {
            let shift = (shiftAt.map { index >= $0 } ?? false) ? 1.0 : 0.0
            if let d = monitor.update(feature: "a", number: random.nextGaussian() + shift) {
                found.append(d)
            }
            if let d = monitor.update(feature: "b", number: random.nextUnitDouble()) {
                found.append(d)
            }
            var category = Int(10 * random.nextUnitDouble() * random.nextUnitDouble())
            if categoryShiftAt.map({ index >= $0 }) ?? false { category = 9 - category }
            if let d = monitor.update(feature: "c", category: "k\(category)") { found.append(d) }
        }
        return found
    }

    static let numericTests: [FeatureDriftMonitor.NumericTest] = [
        .kolmogorovSmirnov(alpha: 0.001), .populationStability(threshold: 0.2, bins: 10),
    ]

    @Test(arguments: numericTests)
    func monitorIsSilentOnAStationaryStream(_ test: FeatureDriftMonitor.NumericTest) {
        for seed: UInt64 in [1, 2] {
            var monitor = Self.numericMonitor(test)
            let found = Self.feed(&monitor, count: 20_000, seed: seed)
            #expect(found.isEmpty, "seed \(seed): \(found)")
            #expect(monitor.featureNames == ["a", "b", "c"])
        }
    }

    @Test(arguments: numericTests)
    func monitorFindsAMeanShift(_ test: FeatureDriftMonitor.NumericTest) throws {
        var monitor = Self.numericMonitor(test)
        let found = Self.feed(&monitor, count: 8000, seed: 5, shiftAt: 5000)
        let detection = try #require(found.first)
        #expect(found.allSatisfy { $0.feature == "a" })
        #expect(detection.kind == .data)
        // The first window containing shifted values ends at or before 5000 + 500.
        #expect(detection.position >= 5000 && detection.position < 5500)
        #expect(detection.windowSizes == [2000, 500])
        #expect(detection.statistic > 0)
        switch test {
        case .kolmogorovSmirnov(let alpha):
            #expect(detection.detector == "ks")
            #expect(try #require(detection.pValue) < alpha)
        case .populationStability(let threshold, _):
            #expect(detection.detector == "psi")
            #expect(detection.statistic > threshold)
        }
    }

    @Test func monitorFindsACategoryChange() throws {
        var monitor = Self.numericMonitor(.kolmogorovSmirnov(alpha: 0.001))
        let found = Self.feed(&monitor, count: 8000, seed: 6, categoryShiftAt: 4000)
        let detection = try #require(found.first)
        #expect(found.allSatisfy { $0.feature == "c" })
        #expect(detection.detector == "chi_square")
        #expect(detection.position >= 4000 && detection.position < 4500)
        #expect(try #require(detection.pValue) < 0.001)
        #expect(detection.parameters.contains(DriftParameter("dof", .integer(9))))
    }

    @Test func monitorRebaselinesAfterADetection() {
        var monitor = Self.numericMonitor(.kolmogorovSmirnov(alpha: 0.001))
        let found = Self.feed(&monitor, count: 12_000, seed: 5, shiftAt: 5000)
        // One shift, one alert: the new reference is learned from shifted values.
        #expect(found.filter { $0.feature == "a" }.count == 1)

        var repeating = FeatureDriftMonitor(
            configuration: .init(
                referenceSize: 2000, windowSize: 500, rebaselineAfterDetection: false))
        let again = Self.feed(&repeating, count: 12_000, seed: 5, shiftAt: 5000)
        #expect(again.filter { $0.feature == "a" }.count > 5)
    }

    @Test func monitorCheckpointContinuesIdentically() throws {
        var uninterrupted = Self.numericMonitor(.populationStability(threshold: 0.2, bins: 10))
        let expected = Self.feed(&uninterrupted, count: 8000, seed: 5, shiftAt: 5000)

        var first = Self.numericMonitor(.populationStability(threshold: 0.2, bins: 10))
        var found = Self.feed(&first, count: 3333, seed: 5, shiftAt: 5000)
        var restored = try JSONDecoder().decode(
            FeatureDriftMonitor.self, from: try encodedState(first))
        #expect(restored == first)
        // Continue the same value sequence: replay the generator past the first 3,333 events.
        found += Self.feedTail(&restored, from: 3333, to: 8000, seed: 5, shiftAt: 5000)
        #expect(found == expected)
        #expect(try encodedState(restored) == encodedState(uninterrupted))
    }

    /// As `feed`, but skips the first `from` events' draws.
    static func feedTail(
        _ monitor: inout FeatureDriftMonitor, from: Int, to: Int, seed: UInt64, shiftAt: Int
    ) -> [DriftDetection] {
        var random = SeededRandom(seed: seed)
        var found: [DriftDetection] = []
        for index in 0..<to {
            let a = random.nextGaussian() + (index >= shiftAt ? 1.0 : 0.0)
            let b = random.nextUnitDouble()
            let category = Int(10 * random.nextUnitDouble() * random.nextUnitDouble())
            guard index >= from else { continue }
            if let d = monitor.update(feature: "a", number: a) { found.append(d) }
            if let d = monitor.update(feature: "b", number: b) { found.append(d) }
            if let d = monitor.update(feature: "c", category: "k\(category)") { found.append(d) }
        }
        return found
    }

    @Test func monitorRefusesBadValues() throws {
        var monitor = Self.numericMonitor(.kolmogorovSmirnov(alpha: 0.001))
        _ = monitor.update(feature: "a", number: 1)
        _ = monitor.update(feature: "c", category: "k1")
        let before = monitor
        #expect(monitor.update(feature: "a", number: .nan) == nil)
        #expect(monitor.update(feature: "a", number: .infinity) == nil)
        #expect(monitor.update(feature: "a", category: "x") == nil, "a is numeric")
        #expect(monitor.update(feature: "c", number: 2) == nil, "c is categorical")
        #expect(monitor.update(feature: "z", number: -.infinity) == nil)
        #expect(monitor.rejectedValues == 5)
        #expect(monitor.featureNames == ["a", "c"], "a refused first value creates no feature")
        // Apart from the counter, nothing changed.
        var expected =
            try JSONSerialization.jsonObject(with: try encodedState(before)) as! [String: Any]
        var actual =
            try JSONSerialization.jsonObject(with: try encodedState(monitor)) as! [String: Any]
        expected["rejectedValues"] = nil
        actual["rejectedValues"] = nil
        #expect(NSDictionary(dictionary: expected) == NSDictionary(dictionary: actual))
    }

    @Test func monitorConfigurationFromAFileIsValidated() throws {
        let good = try FeatureDriftMonitor.Configuration.validated(
            numericTest: .populationStability(threshold: 0.2, bins: 10), referenceSize: 100,
            windowSize: 50)
        #expect(good.testInterval == 50)
        #expect(throws: DriftConfigurationError.self) {
            try FeatureDriftMonitor.Configuration.validated(
                numericTest: .kolmogorovSmirnov(alpha: 2))
        }
        #expect(throws: DriftConfigurationError.self) {
            try FeatureDriftMonitor.Configuration.validated(windowSize: 0)
        }
        #expect(throws: DriftConfigurationError.self) {
            try FeatureDriftMonitor.Configuration.validated(
                numericTest: .populationStability(threshold: 0.2, bins: 1))
        }
    }
}
