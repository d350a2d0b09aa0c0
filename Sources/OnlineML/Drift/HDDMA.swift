import RealModule

/// HDDM_A (Frías-Blanco et al. 2014): drift detection with Hoeffding's bound on moving averages,
/// with River 0.26's semantics (itself after MOA).
///
/// Input: values in [0, 1] (an error bit or a bounded metric); others are refused like
/// non-finite ones. `z` is the mean of everything since the last restart; the cut point `x_min`
/// is a snapshot of `z` taken whenever `mean(x_min) + ε(n_xmin) ≥ mean(z) + ε(n_z)` with
/// `ε(n) = sqrt(1/(2n) · ln(1/driftConfidence))`. An increase is significant at confidence `c`
/// when `mean(z) − mean(x_min) ≥ sqrt(m/2 · ln(2/c))`, `m = (n_z − n_xmin)/n_xmin · 1/n_z`.
/// `twoSidedTest` also watches decreases via `x_max`. The value after a drift starts afresh.
///
/// Evidence: `statistic` is the mean difference, `threshold` the bound at `driftConfidence`,
/// `windowSizes` is `[n_cut, n_z − n_cut]` (values before and after the cut point).
public struct HDDMA: DriftDetector, Equatable {
    public let driftConfidence: Double
    public let warningConfidence: Double
    public let twoSidedTest: Bool

    private var total = RunningMeanState()
    private var cutMinimum = RunningMeanState()
    private var cutMaximum = RunningMeanState()

    public private(set) var driftDetected: Bool = false
    public private(set) var warningDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "hddm_a" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("drift_confidence", .number(driftConfidence)),
            DriftParameter("warning_confidence", .number(warningConfidence)),
            DriftParameter("two_sided_test", .flag(twoSidedTest)),
        ]
    }

    /// River's defaults: `driftConfidence` 0.001, `warningConfidence` 0.005, one-sided.
    public init(
        driftConfidence: Double = 0.001, warningConfidence: Double = 0.005,
        twoSidedTest: Bool = false
    ) {
        precondition(driftConfidence > 0 && driftConfidence < 1)
        precondition(warningConfidence > 0 && warningConfidence < 1)
        self.driftConfidence = driftConfidence
        self.warningConfidence = warningConfidence
        self.twoSidedTest = twoSidedTest
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        total = RunningMeanState()
        cutMinimum = RunningMeanState()
        cutMaximum = RunningMeanState()
        driftDetected = false
        warningDetected = false
    }

    private func hoeffdingBound(_ n: Double) -> Double {
        (1.0 / (2 * n) * Double.log(1.0 / driftConfidence)).squareRoot()
    }

    /// The bound a mean difference must reach at `confidence`, or `nil` when the cut point is
    /// the whole sample (no second part to compare).
    private func bound(cut: RunningMeanState, confidence: Double) -> Double? {
        guard cut.count != total.count else { return nil }
        let m = (total.count - cut.count) / cut.count * (1.0 / total.count)
        return (m / 2 * Double.log(2.0 / confidence)).squareRoot()
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
        total.update(value)
        if cutMinimum.count == 0 { cutMinimum = total }
        if cutMaximum.count == 0 { cutMaximum = total }

        let totalBound = hoeffdingBound(total.count)
        if cutMinimum.mean + hoeffdingBound(cutMinimum.count) >= total.mean + totalBound {
            cutMinimum = total
        }
        if cutMaximum.mean - hoeffdingBound(cutMaximum.count) <= total.mean - totalBound {
            cutMaximum = total
        }

        let increase = total.mean - cutMinimum.mean
        var evidence: (statistic: Double, threshold: Double, cut: Double)?
        if let driftBound = bound(cut: cutMinimum, confidence: driftConfidence),
            increase >= driftBound
        {
            warningDetected = false
            driftDetected = true
            evidence = (increase, driftBound, cutMinimum.count)
        } else if let warningBound = bound(cut: cutMinimum, confidence: warningConfidence),
            increase >= warningBound
        {
            warningDetected = true
            driftDetected = false
        } else {
            warningDetected = false
            driftDetected = false
        }

        if twoSidedTest {
            let decrease = cutMaximum.mean - total.mean
            if let driftBound = bound(cut: cutMaximum, confidence: driftConfidence),
                decrease >= driftBound
            {
                driftDetected = true
                if evidence == nil { evidence = (decrease, driftBound, cutMaximum.count) }
            } else if let warningBound = bound(cut: cutMaximum, confidence: warningConfidence),
                decrease >= warningBound
            {
                warningDetected = true
            }
        }

        if driftDetected, let evidence {
            lastDetection = DriftDetection(
                detector: name, kind: .concept, parameters: parameters,
                statistic: evidence.statistic, threshold: evidence.threshold,
                windowSizes: [Int(evidence.cut), Int(total.count - evidence.cut)],
                position: position)
        }
        position += 1
        return driftDetected
    }
}
