import RealModule

/// HDDM_W (Frías-Blanco et al. 2014): drift detection with McDiarmid's bound on exponentially
/// weighted moving averages, with River 0.26's semantics (itself after MOA).
///
/// Input: values in [0, 1]; others are refused like non-finite ones. The whole sample since the
/// last restart keeps an EWMA with weight `lambda` and an independent-bound term
/// `ibc ← λ² + (1 − λ)² · ibc` (starting at 1). With `ε = sqrt(ibc · ln(1/c) / 2)`, whenever
/// `ewma + ε` reaches a new minimum the sample so far becomes the "before" part and a fresh
/// "after" part starts; an increase is significant at confidence `c` when
/// `ewma(after) − ewma(before) > sqrt((ibc_before + ibc_after) · ln(1/c) / 2)`. `twoSidedTest`
/// mirrors this for decreases. The value after a drift starts afresh.
///
/// River's EWMA (its Rust `EWMean`) has a quirk kept here for exact agreement: while the average
/// is exactly 0, the next value replaces it instead of being blended in.
///
/// Evidence: `statistic` is the EWMA difference, `threshold` the bound at `driftConfidence`,
/// `windowSizes` is `[values before the cut, values after it]`.
public struct HDDMW: DriftDetector, Equatable {
    public let driftConfidence: Double
    public let warningConfidence: Double
    public let lambda: Double
    public let twoSidedTest: Bool

    /// One sample's statistics: EWMA, independent-bound term, size.
    struct Sample: Codable, Sendable, Equatable {
        var ewma: Double = 0
        var ibc: Double = 1
        var count: Int = 0

        var isInitialized: Bool { count > 0 }

        mutating func update(_ value: Double, lambda: Double) {
            if ewma == 0 {
                ewma = value
            } else {
                ewma = lambda * value + (1 - lambda) * ewma
            }
            ibc = lambda * lambda + (1 - lambda) * (1 - lambda) * ibc
            count += 1
        }
    }

    private var total = Sample()
    private var beforeIncrease = Sample()
    private var afterIncrease = Sample()
    private var beforeDecrease = Sample()
    private var afterDecrease = Sample()
    /// `nil` stands for River's initial +∞ / −∞.
    private var increaseCutpoint: Double?
    private var decreaseCutpoint: Double?

    public private(set) var driftDetected: Bool = false
    public private(set) var warningDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "hddm_w" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("drift_confidence", .number(driftConfidence)),
            DriftParameter("warning_confidence", .number(warningConfidence)),
            DriftParameter("lambda", .number(lambda)),
            DriftParameter("two_sided_test", .flag(twoSidedTest)),
        ]
    }

    /// River's defaults: `driftConfidence` 0.001, `warningConfidence` 0.005, `lambda` 0.05,
    /// one-sided.
    public init(
        driftConfidence: Double = 0.001, warningConfidence: Double = 0.005, lambda: Double = 0.05,
        twoSidedTest: Bool = false
    ) {
        precondition(driftConfidence > 0 && driftConfidence < 1)
        precondition(warningConfidence > 0 && warningConfidence < 1)
        precondition(lambda > 0 && lambda <= 1)
        self.driftConfidence = driftConfidence
        self.warningConfidence = warningConfidence
        self.lambda = lambda
        self.twoSidedTest = twoSidedTest
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        total = Sample()
        beforeIncrease = Sample()
        afterIncrease = Sample()
        beforeDecrease = Sample()
        afterDecrease = Sample()
        increaseCutpoint = nil
        decreaseCutpoint = nil
        driftDetected = false
        warningDetected = false
    }

    private func mcDiarmidBound(_ ibc: Double, _ confidence: Double) -> Double {
        (ibc * Double.log(1 / confidence) / 2).squareRoot()
    }

    /// `(difference, bound)` when `later` exceeds `earlier` by more than the bound.
    private func change(
        from earlier: Sample, to later: Sample, confidence: Double
    ) -> (difference: Double, bound: Double)? {
        guard earlier.isInitialized, later.isInitialized else { return nil }
        let bound = mcDiarmidBound(earlier.ibc + later.ibc, confidence)
        let difference = later.ewma - earlier.ewma
        return difference > bound ? (difference, bound) : nil
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite, value >= 0, value <= 1 else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            restart()
        }
        total.update(value, lambda: lambda)

        let epsilon = mcDiarmidBound(total.ibc, driftConfidence)
        if increaseCutpoint.map({ total.ewma + epsilon < $0 }) ?? true {
            increaseCutpoint = total.ewma + epsilon
            beforeIncrease = total
            afterIncrease = Sample()
        } else {
            afterIncrease.update(value, lambda: lambda)
        }
        var evidence: (difference: Double, bound: Double, before: Int, after: Int)?
        if let found = change(from: beforeIncrease, to: afterIncrease, confidence: driftConfidence)
        {
            warningDetected = false
            driftDetected = true
            evidence = (found.difference, found.bound, beforeIncrease.count, afterIncrease.count)
        } else if change(from: beforeIncrease, to: afterIncrease, confidence: warningConfidence)
            != nil
        {
            warningDetected = true
            driftDetected = false
        } else {
            warningDetected = false
            driftDetected = false
        }

        let decreaseEpsilon = mcDiarmidBound(total.ibc, driftConfidence)
        if decreaseCutpoint.map({ total.ewma - decreaseEpsilon > $0 }) ?? true {
            decreaseCutpoint = total.ewma - decreaseEpsilon
            beforeDecrease = total
            afterDecrease = Sample()
        } else {
            afterDecrease.update(value, lambda: lambda)
        }
        if twoSidedTest {
            if let found = change(
                from: afterDecrease, to: beforeDecrease, confidence: driftConfidence)
            {
                driftDetected = true
                if evidence == nil {
                    evidence = (
                        found.difference, found.bound, beforeDecrease.count, afterDecrease.count
                    )
                }
            } else if change(from: afterDecrease, to: beforeDecrease, confidence: warningConfidence)
                != nil
            {
                warningDetected = true
            }
        }

        if driftDetected, let evidence {
            lastDetection = DriftDetection(
                detector: name, kind: .concept, parameters: parameters,
                statistic: evidence.difference, threshold: evidence.bound,
                windowSizes: [evidence.before, evidence.after], position: position)
        }
        position += 1
        return driftDetected
    }
}
