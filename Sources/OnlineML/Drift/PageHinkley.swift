/// Page-Hinkley test (Page 1954), with River 0.26's exact semantics: a CUSUM of deviations from
/// the running mean, with a forgetting factor `alpha` on the sums.
///
/// For each value `x` (after updating the running mean `x̄` with it, `dev = x − x̄`):
/// `S⁺ = α·S⁺ + dev − δ`, `S⁻ = α·S⁻ + dev + δ`; `m⁺ = min(m⁺, S⁺)`, `M⁻ = max(M⁻, S⁻)`
/// (`m⁺` starts at +∞, `M⁻` at −1 as in River). Once at least `minInstances` values were seen,
/// an increase is `S⁺ − m⁺ > threshold`, a decrease `M⁻ − S⁻ > threshold`; `mode` picks which
/// count (`.both` = either). After a detection the next value starts from scratch, as River does.
///
/// Evidence: `statistic` is `S⁺ − m⁺` (or `M⁻ − S⁻` when only the decrease fired), `threshold`
/// is `threshold`, `windowSizes` is `[values since the last restart]`.
public struct PageHinkley: DriftDetector, Equatable {
    /// Which direction of change counts.
    public enum Mode: String, Codable, Sendable, Equatable {
        case up
        case down
        case both
    }

    public let minInstances: Int
    public let delta: Double
    public let threshold: Double
    public let alpha: Double
    public let mode: Mode

    private var mean = RunningMeanState()
    private var sumIncrease: Double = 0
    private var sumDecrease: Double = 0
    /// `nil` stands for River's initial +∞ (kept out of the state so it encodes to plain JSON).
    private var minIncrease: Double?
    private var maxDecrease: Double = -1

    public private(set) var driftDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "page_hinkley" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("min_instances", .integer(minInstances)),
            DriftParameter("delta", .number(delta)),
            DriftParameter("threshold", .number(threshold)),
            DriftParameter("alpha", .number(alpha)),
            DriftParameter("mode", .text(mode.rawValue)),
        ]
    }

    /// River's defaults: `minInstances` 30, `delta` 0.005, `threshold` 50, `alpha` 0.9999,
    /// `mode` both.
    public init(
        minInstances: Int = 30, delta: Double = 0.005, threshold: Double = 50,
        alpha: Double = 1 - 0.0001, mode: Mode = .both
    ) {
        precondition(minInstances >= 1 && threshold > 0 && alpha > 0 && alpha <= 1)
        self.minInstances = minInstances
        self.delta = delta
        self.threshold = threshold
        self.alpha = alpha
        self.mode = mode
    }

    public mutating func reset() {
        restart()
        driftDetected = false
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        mean = RunningMeanState()
        sumIncrease = 0
        sumDecrease = 0
        minIncrease = nil
        maxDecrease = -1
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            restart()
            driftDetected = false
        }
        mean.update(value)
        let deviation = value - mean.mean
        sumIncrease = alpha * sumIncrease + deviation - delta
        sumDecrease = alpha * sumDecrease + deviation + delta
        if minIncrease.map({ sumIncrease < $0 }) ?? true {
            minIncrease = sumIncrease
        }
        if sumDecrease > maxDecrease {
            maxDecrease = sumDecrease
        }
        if mean.count >= Double(minInstances) {
            let increase = sumIncrease - (minIncrease ?? sumIncrease)
            let decrease = maxDecrease - sumDecrease
            let up = mode != .down && increase > threshold
            let down = mode != .up && decrease > threshold
            driftDetected = up || down
            if driftDetected {
                lastDetection = DriftDetection(
                    detector: name, kind: .concept, parameters: parameters,
                    statistic: up ? increase : decrease, threshold: threshold,
                    windowSizes: [Int(mean.count)], position: position)
            }
        }
        position += 1
        return driftDetected
    }
}
