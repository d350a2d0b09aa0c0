/// TP / (TP + FP) for the positive class.
public struct Precision: StreamingMetric {
    public static let name = "precision"
    public private(set) var matrix = BinaryConfusionMatrix()

    public init() {}

    public mutating func update(_ o: BinaryOutcome) { matrix.update(o) }
    public mutating func revert(_ o: BinaryOutcome) { matrix.update(o, by: -1) }
    public var value: Double { matrix.precision }
}
