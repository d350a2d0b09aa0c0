/// TP / (TP + FN) for the positive class.
public struct Recall: StreamingMetric {
    public static let name = "recall"
    public private(set) var matrix = BinaryConfusionMatrix()

    public init() {}

    public mutating func update(_ o: BinaryOutcome) { matrix.update(o) }
    public mutating func revert(_ o: BinaryOutcome) { matrix.update(o, by: -1) }
    public var value: Double { matrix.recall }
}
