/// A metric updated one observation at a time, with River's contract: `update` adds an
/// observation, `revert` removes one previously added (so a window can slide), `value` is
/// River's `get()`. Undefined values (no data, a zero denominator) are 0, like River's
/// `safe_div`, so a metric is always finite.
public protocol StreamingMetric: Sendable {
    associatedtype Observation: Sendable
    /// A stable name for documents and logs (e.g. `accuracy`, `log_loss`).
    static var name: String { get }
    init()
    mutating func update(_ observation: Observation)
    mutating func revert(_ observation: Observation)
    var value: Double { get }
}

/// A binary prediction and its truth: the label and the predicted probability of `true`.
public struct BinaryOutcome: Sendable, Hashable {
    public var label: Bool
    public var probability: Double

    public init(label: Bool, probability: Double) {
        self.label = label
        self.probability = probability
    }

    /// The predicted class: probability > 0.5.
    public var predictedLabel: Bool { probability > 0.5 }
}

/// A regression prediction and its truth.
public struct RegressionOutcome: Sendable, Hashable {
    public var target: Double
    public var prediction: Double

    public init(target: Double, prediction: Double) {
        self.target = target
        self.prediction = prediction
    }
}

/// A running mean with revert, the base of the averaged metrics.
public struct RunningMean: Sendable, Hashable {
    public private(set) var count: Int = 0
    public private(set) var sum: Double = 0

    public init() {}

    public mutating func add(_ x: Double) {
        count += 1
        sum += x
    }

    public mutating func remove(_ x: Double) {
        count -= 1
        sum -= x
        if count == 0 { sum = 0 }
    }

    public var mean: Double { count > 0 ? sum / Double(count) : 0 }
}
