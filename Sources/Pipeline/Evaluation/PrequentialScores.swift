import OnlineML

/// The prequential metrics of a learner: each prediction scored against its label before the
/// model learns from it. Classification: accuracy and log loss; regression: MAE and RMSE.
///
/// Kept as a count and two running sums (the arithmetic of OnlineML's `RunningMean`), so a
/// model document can carry them (``documentMetrics``) and a restored learner continues the
/// metrics bit-identically (``init(task:documentMetrics:)``).
public struct PrequentialScores: Sendable {
    public let task: LearningTask
    /// Labelled predictions scored.
    public private(set) var count = 0
    /// Classification: correct predictions. Regression: sum of |y − ŷ|.
    private var firstSum = 0.0
    /// Classification: sum of log losses. Regression: sum of (y − ŷ)².
    private var secondSum = 0.0

    public init(task: LearningTask) {
        self.task = task
    }

    /// Restores the scores a model document's `metrics` carry (see ``documentMetrics``);
    /// missing sums start from zero.
    public init(task: LearningTask, documentMetrics metrics: [String: Double]) {
        self.task = task
        let (first, second) = Self.sumNames(task)
        count = Int(metrics["count"] ?? 0)
        firstSum = metrics[first] ?? 0
        secondSum = metrics[second] ?? 0
    }

    /// Scores one labelled prediction; returns the event's loss (see ``loss(task:target:prediction:)``).
    @discardableResult
    public mutating func update(target y: Double, prediction: Prediction) -> Double {
        count += 1
        switch task {
        case .binaryClassification:
            let outcome = BinaryOutcome(label: y == 1, probability: prediction.value)
            firstSum += outcome.predictedLabel == outcome.label ? 1 : 0
            secondSum += LogLoss.loss(outcome)
        case .regression:
            firstSum += abs(y - prediction.value)
            secondSum += (y - prediction.value) * (y - prediction.value)
        }
        return Self.loss(task: task, target: y, prediction: prediction)
    }

    /// One event's loss: log loss of P(y = 1) (clamped as River does) for classification,
    /// squared error for regression.
    public static func loss(task: LearningTask, target y: Double, prediction: Prediction) -> Double {
        switch task {
        case .binaryClassification:
            return LogLoss.loss(BinaryOutcome(label: y == 1, probability: prediction.value))
        case .regression:
            return (y - prediction.value) * (y - prediction.value)
        }
    }

    /// Metric name → value, in a fixed order.
    public var values: [(name: String, value: Double)] {
        let n = Double(count)
        let first = count > 0 ? firstSum / n : 0
        let second = count > 0 ? secondSum / n : 0
        switch task {
        case .binaryClassification:
            return [("accuracy", first), ("logloss", second)]
        case .regression:
            return [("mae", first), ("rmse", second.squareRoot())]
        }
    }

    public func value(_ name: String) -> Double? {
        values.first(where: { $0.name == name })?.value
    }

    /// The metrics a model document carries: ``values`` plus `count` and the two running
    /// sums (`correct` and `logloss_sum`, or `abs_error_sum` and `squared_error_sum`), which
    /// let a restored learner continue them exactly.
    public var documentMetrics: [String: Double] {
        var metrics: [String: Double] = [:]
        for (name, value) in values { metrics[name] = value }
        let (first, second) = Self.sumNames(task)
        metrics["count"] = Double(count)
        metrics[first] = firstSum
        metrics[second] = secondSum
        return metrics
    }

    private static func sumNames(_ task: LearningTask) -> (String, String) {
        task == .binaryClassification ? ("correct", "logloss_sum") : ("abs_error_sum", "squared_error_sum")
    }
}
