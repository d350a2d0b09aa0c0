import OnlineML

/// The prequential metrics of a learner: each prediction scored against its label before the
/// model learns from it. Classification: accuracy and log loss; regression: MAE and RMSE.
public struct PrequentialScores: Sendable {
    public let task: LearningTask
    private var accuracy = Accuracy()
    private var logLoss = LogLoss()
    private var meanAbsoluteError = MeanAbsoluteError()
    private var rootMeanSquaredError = RootMeanSquaredError()

    public init(task: LearningTask) {
        self.task = task
    }

    /// Scores one labelled prediction; returns the event's loss (see ``loss(task:target:prediction:)``).
    @discardableResult
    public mutating func update(target y: Double, prediction: Prediction) -> Double {
        switch task {
        case .binaryClassification:
            let outcome = BinaryOutcome(label: y == 1, probability: prediction.value)
            accuracy.update(outcome)
            logLoss.update(outcome)
        case .regression:
            let outcome = RegressionOutcome(target: y, prediction: prediction.value)
            meanAbsoluteError.update(outcome)
            rootMeanSquaredError.update(outcome)
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
        switch task {
        case .binaryClassification:
            return [("accuracy", accuracy.value), ("logloss", logLoss.value)]
        case .regression:
            return [("mae", meanAbsoluteError.value), ("rmse", rootMeanSquaredError.value)]
        }
    }

    public func value(_ name: String) -> Double? {
        values.first(where: { $0.name == name })?.value
    }
}
