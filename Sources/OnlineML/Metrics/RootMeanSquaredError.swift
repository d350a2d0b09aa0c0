/// √(mean of (y − ŷ)²).
public struct RootMeanSquaredError: StreamingMetric {
    public static let name = "rmse"
    private var mean = RunningMean()

    public init() {}

    public mutating func update(_ o: RegressionOutcome) { mean.add((o.target - o.prediction) * (o.target - o.prediction)) }
    public mutating func revert(_ o: RegressionOutcome) { mean.remove((o.target - o.prediction) * (o.target - o.prediction)) }
    public var value: Double { mean.mean.squareRoot() }
}
