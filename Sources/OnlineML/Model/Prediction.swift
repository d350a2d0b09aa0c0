/// A model's output for one event.
public struct Prediction: Sendable, Hashable {
    /// w·x + b.
    public var raw: Double
    /// Regression: the predicted value (= raw). Classification: P(y = true).
    public var value: Double
    /// Classification: value > 0.5; `nil` for regression.
    public var label: Bool?

    public init(raw: Double, value: Double, label: Bool?) {
        self.raw = raw
        self.value = value
        self.label = label
    }
}

/// The outcome of one prequential step: the prediction made before learning, the decoded
/// target (when the event had one) and whether the model learned from it.
public struct PrequentialOutcome: Sendable, Hashable {
    public var prediction: Prediction
    public var target: Double?
    public var learned: Bool
}
