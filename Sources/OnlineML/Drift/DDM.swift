/// DDM, the Drift Detection Method (Gama et al. 2004), with River 0.26's semantics.
///
/// Input: an error stream, 1 = error, 0 = correct (any value in [0, 1], e.g. a bounded loss, is
/// accepted; values outside [0, 1] are refused like non-finite ones). With `p` the running error
/// rate over `n` values and `s = sqrt(p(1 − p)/n)`, once `n > warmStart`: `(p_min, s_min)` are
/// taken where `p + s` is smallest; a warning is `p + s > p_min + warningThreshold · s_min`, a
/// drift `p + s > p_min + driftThreshold · s_min`. The value after a drift starts afresh.
///
/// Evidence: `statistic` is `p + s`, `threshold` is `p_min + driftThreshold · s_min`,
/// `windowSizes` is `[n]`.
public struct DDM: DriftDetector, Equatable {
    public let warmStart: Int
    public let warningThreshold: Double
    public let driftThreshold: Double

    private var errorRate = RunningMeanState()
    /// `nil` until the warm start is over (River starts these at +∞).
    private var pMin: Double?
    private var sMin: Double?
    private var psMin: Double?

    public private(set) var driftDetected: Bool = false
    /// Whether the error rate is in the warning zone (not set on the detecting value itself).
    public private(set) var warningDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "ddm" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("warm_start", .integer(warmStart)),
            DriftParameter("warning_threshold", .number(warningThreshold)),
            DriftParameter("drift_threshold", .number(driftThreshold)),
        ]
    }

    /// River's defaults: `warmStart` 30, `warningThreshold` 2, `driftThreshold` 3.
    public init(warmStart: Int = 30, warningThreshold: Double = 2, driftThreshold: Double = 3) {
        precondition(warmStart >= 0 && warningThreshold > 0 && driftThreshold >= warningThreshold)
        self.warmStart = warmStart
        self.warningThreshold = warningThreshold
        self.driftThreshold = driftThreshold
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        errorRate = RunningMeanState()
        pMin = nil
        sMin = nil
        psMin = nil
        driftDetected = false
        warningDetected = false
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
        errorRate.update(value)
        let p = errorRate.mean
        let n = errorRate.count
        let s = (p * (1 - p) / n).squareRoot()
        if n > Double(warmStart) {
            if psMin.map({ p + s <= $0 }) ?? true {
                pMin = p
                sMin = s
                psMin = p + s
            }
            let pMin = pMin ?? p
            let sMin = sMin ?? s
            warningDetected = p + s > pMin + warningThreshold * sMin
            let driftLevel = pMin + driftThreshold * sMin
            if p + s > driftLevel {
                driftDetected = true
                warningDetected = false
                lastDetection = DriftDetection(
                    detector: name, kind: .concept, parameters: parameters, statistic: p + s,
                    threshold: driftLevel, windowSizes: [Int(n)], position: position)
            }
        }
        position += 1
        return driftDetected
    }
}
