/// 2·TP / (2·TP + FP + FN): harmonic mean of precision and recall.
public struct F1Score: StreamingMetric {
    public static let name = "f1"
    public private(set) var matrix = BinaryConfusionMatrix()

    public init() {}

    public mutating func update(_ o: BinaryOutcome) { matrix.update(o) }
    public mutating func revert(_ o: BinaryOutcome) { matrix.update(o, by: -1) }
    public var value: Double { matrix.f1 }
}
