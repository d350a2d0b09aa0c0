/// Running count, mean, population variance and extremes of one numeric field.
///
/// The update is River's `StandardScaler.learn_one` operation for operation (the variance
/// itself is updated, not a sum of squares). The standard deviation is the correctly rounded
/// √variance where River computes `variance ** 0.5` with libm's `pow`; the two agree except,
/// at most, in the last bit in rare cases.
public struct RunningStatistics: Sendable, Hashable {
    public var count: Int = 0
    public var mean: Double = 0
    public var variance: Double = 0
    public var minimum: Double = .infinity
    public var maximum: Double = -.infinity
    /// √variance, kept so prediction-time scaling needs no square root (derived, not saved).
    public private(set) var standardDeviation: Double = 0

    public init() {}

    public init(count: Int, mean: Double, variance: Double, minimum: Double, maximum: Double) {
        self.count = count
        self.mean = mean
        self.variance = variance
        self.minimum = minimum
        self.maximum = maximum
        self.standardDeviation = variance.squareRoot()
    }

    public mutating func update(_ x: Double) {
        count += 1
        let n = Double(count)
        let oldMean = mean
        mean += (x - oldMean) / n
        variance += ((x - oldMean) * (x - mean) - variance) / n
        standardDeviation = variance.squareRoot()
        if x < minimum { minimum = x }
        if x > maximum { maximum = x }
    }

    /// (x − mean) / √variance, or 0 when the variance is 0 (River's `safe_div`).
    public func standardized(_ x: Double) -> Double {
        variance > 0 ? (x - mean) / standardDeviation : 0
    }

    /// (x − min) / (max − min), or 0 when the range is empty or 0.
    public func minMaxScaled(_ x: Double) -> Double {
        let range = maximum - minimum
        return range > 0 ? (x - minimum) / range : 0
    }
}
