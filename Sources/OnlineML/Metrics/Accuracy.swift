/// Share of correct predicted classes (probability > 0.5 predicts true).
public struct Accuracy: StreamingMetric {
    public static let name = "accuracy"
    private var mean = RunningMean()

    public init() {}

    public mutating func update(_ o: BinaryOutcome) { mean.add(o.predictedLabel == o.label ? 1 : 0) }
    public mutating func revert(_ o: BinaryOutcome) { mean.remove(o.predictedLabel == o.label ? 1 : 0) }
    public var value: Double { mean.mean }
}
