/// Coefficient of determination R² = 1 − SSE / SST, with SST from a revertible Welford
/// variance of the targets. 0 while SST is 0.
public struct RSquared: StreamingMetric {
    public static let name = "r2"
    private var count = 0
    private var mean = 0.0
    private var m2 = 0.0
    private var sse = 0.0

    public init() {}

    public mutating func update(_ o: RegressionOutcome) {
        count += 1
        let delta = o.target - mean
        mean += delta / Double(count)
        m2 += delta * (o.target - mean)
        sse += (o.target - o.prediction) * (o.target - o.prediction)
    }

    public mutating func revert(_ o: RegressionOutcome) {
        guard count > 0 else { return }
        count -= 1
        if count == 0 {
            mean = 0
            m2 = 0
            sse = 0
            return
        }
        let delta = o.target - mean
        mean -= delta / Double(count)
        m2 -= delta * (o.target - mean)
        sse -= (o.target - o.prediction) * (o.target - o.prediction)
    }

    public var value: Double { m2 > 0 ? 1 - sse / m2 : 0 }
}
