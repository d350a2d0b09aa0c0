/// Mean of |y − ŷ|.
public struct MeanAbsoluteError: StreamingMetric {
    public static let name = "mae"
    private var mean = RunningMean()

    public init() {}

    public mutating func update(_ o: RegressionOutcome) { mean.add(abs(o.target - o.prediction)) }
    public mutating func revert(_ o: RegressionOutcome) { mean.remove(abs(o.target - o.prediction)) }
    public var value: Double { mean.mean }
}
