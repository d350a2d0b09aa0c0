/// Counts of true/false positives/negatives, the state of precision, recall and F1.
public struct BinaryConfusionMatrix: Sendable, Hashable {
    public private(set) var truePositives = 0
    public private(set) var falsePositives = 0
    public private(set) var trueNegatives = 0
    public private(set) var falseNegatives = 0

    public init() {}

    public mutating func update(_ o: BinaryOutcome, by delta: Int = 1) {
        switch (o.label, o.predictedLabel) {
        case (true, true): truePositives += delta
        case (false, true): falsePositives += delta
        case (false, false): trueNegatives += delta
        case (true, false): falseNegatives += delta
        }
    }

    public var precision: Double {
        let d = truePositives + falsePositives
        return d > 0 ? Double(truePositives) / Double(d) : 0
    }

    public var recall: Double {
        let d = truePositives + falseNegatives
        return d > 0 ? Double(truePositives) / Double(d) : 0
    }

    /// Harmonic mean of precision and recall.
    public var f1: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d > 0 ? 2 * Double(truePositives) / Double(d) : 0
    }
}
