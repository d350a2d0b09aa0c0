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

extension RunningStatistics {
    /// ``standardized(_:)``, ``update(_:)``, ``standardized(_:)`` of two statistics at once,
    /// returning the values before and after the update.
    ///
    /// The lanes run exactly the scalar operations (IEEE division is correctly rounded lane by
    /// lane and nothing is fused), so the bits are the same; the divisions — the hot path's
    /// bottleneck, four per field — go two per instruction. "Else 0" is a bit mask, not a
    /// select, so the compiler keeps the divisions packed.
    @inline(__always)
    static func standardizedUpdate(_ a: inout Self, _ b: inout Self, _ x: SIMD2<Double>) -> (SIMD2<Double>, SIMD2<Double>) {
        let mean = SIMD2(a.mean, b.mean), variance = SIMD2(a.variance, b.variance)
        let zero = SIMD2<Double>()
        let before = keep((x - mean) / SIMD2(a.standardDeviation, b.standardDeviation), where: variance .> zero)
        a.count += 1
        b.count += 1
        let n = SIMD2(Double(a.count), Double(b.count))
        let newMean = mean + (x - mean) / n
        let newVariance = variance + ((x - mean) * (x - newMean) - variance) / n
        let deviation = SIMD2(newVariance[0].squareRoot(), newVariance[1].squareRoot())
        let after = keep((x - newMean) / deviation, where: newVariance .> zero)
        a.mean = newMean[0]
        b.mean = newMean[1]
        a.variance = newVariance[0]
        b.variance = newVariance[1]
        a.standardDeviation = deviation[0]
        b.standardDeviation = deviation[1]
        if x[0] < a.minimum { a.minimum = x[0] }
        if x[0] > a.maximum { a.maximum = x[0] }
        if x[1] < b.minimum { b.minimum = x[1] }
        if x[1] > b.maximum { b.maximum = x[1] }
        return (before, after)
    }

    /// `v` where `mask` is true, +0 elsewhere.
    @inline(__always)
    private static func keep(_ v: SIMD2<Double>, where mask: SIMDMask<SIMD2<Int64>>) -> SIMD2<Double> {
        let bits = unsafeBitCast(v, to: SIMD2<UInt64>.self) & unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        return unsafeBitCast(bits, to: SIMD2<Double>.self)
    }
}
