import RealModule

/// EDDM, the Early Drift Detection Method (Baena-García et al. 2006), with River 0.26's
/// semantics: it watches the distance between consecutive errors rather than the error rate.
///
/// Input: exactly 0 (correct) or 1 (error); anything else is refused like a non-finite value.
/// On each error, the distance since the previous error updates a running mean `p'` and sample
/// standard deviation `s'`. Once more than `warmStart` values were seen, the maximum of
/// `p' + 2s'` is tracked; when the current value is not a new maximum and more than `warmStart`
/// errors were seen, `level = (p' + 2s') / max`: `level < beta` is a drift, `level < alpha` a
/// warning. The value after a drift starts afresh.
///
/// Evidence: `statistic` is `level`, `threshold` is `beta`, `windowSizes` is
/// `[values, errors]` since the last restart.
public struct EDDM: DriftDetector, Equatable {
    public let warmStart: Int
    public let alpha: Double
    public let beta: Double

    /// Welford mean and sum of squares of the distances between errors (River's `stats.Var`).
    private var distanceMean = RunningMeanState()
    private var distanceSquares: Double = 0
    private var count: Int = 0
    private var lastError: Int = 0
    private var errorCount: Int = 0
    private var maxLevel: Double = -1

    public private(set) var driftDetected: Bool = false
    public private(set) var warningDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "eddm" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("warm_start", .integer(warmStart)),
            DriftParameter("alpha", .number(alpha)),
            DriftParameter("beta", .number(beta)),
        ]
    }

    /// River's defaults: `warmStart` 30, `alpha` 0.95, `beta` 0.9 (`alpha ≥ beta`).
    public init(warmStart: Int = 30, alpha: Double = 0.95, beta: Double = 0.9) {
        precondition(alpha >= beta, "EDDM alpha must be greater than or equal to beta")
        self.warmStart = warmStart
        self.alpha = alpha
        self.beta = beta
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        distanceMean = RunningMeanState()
        distanceSquares = 0
        count = 0
        lastError = 0
        errorCount = 0
        maxLevel = -1
        driftDetected = false
        warningDetected = false
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value == 0 || value == 1 else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            restart()
        }
        count += 1
        if value == 1 {
            errorCount += 1
            let distance = Double(count - lastError)
            let previousMean = distanceMean.mean
            distanceMean.update(distance)
            distanceSquares += (distance - previousMean) * (distance - distanceMean.mean)
            if count > warmStart {
                let meanDistance = distanceMean.mean
                let variance =
                    distanceMean.count > 1 ? distanceSquares / (distanceMean.count - 1) : 0
                let level = meanDistance + 2 * Double.pow(variance, 0.5)
                if level > maxLevel {
                    maxLevel = level
                } else if errorCount > warmStart {
                    let ratio = level / maxLevel
                    if ratio < beta {
                        driftDetected = true
                        lastDetection = DriftDetection(
                            detector: name, kind: .concept, parameters: parameters,
                            statistic: ratio, threshold: beta, windowSizes: [count, errorCount],
                            position: position)
                    } else {
                        warningDetected = ratio < alpha
                    }
                }
            }
            lastError = count
        }
        position += 1
        return driftDetected
    }
}
