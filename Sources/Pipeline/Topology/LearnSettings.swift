/// The learn stage: a linear model trained online, prequentially (predict, then learn).
///
/// In a file:
/// ```yaml
/// learn:
///   model: logistic_regression
///   optimizer: {name: sgd, lr: 0.1}
///   intercept_lr: 0.01
///   publish: {every_events: 1000, every_seconds: 5}
///   on_drift: reset
/// ```
public struct LearnSettings: Sendable, Equatable {
    /// The model. Required.
    public var model: ModelKind
    /// The loss. Default: `log` for logistic regression, `squared` for linear regression.
    public var loss: Loss
    /// The weights' optimizer. Default SGD(0.01).
    public var optimizer: OptimizerSettings
    /// Plain-SGD rate of the intercept (whatever the optimizer). Default 0.01.
    public var interceptLR: Double
    /// L1 penalty. Default 0.
    public var l1: Double
    /// L2 penalty (lazy: only for features present in the event). Default 0.
    public var l2: Double
    /// Gradient components are clipped to `[-clip_gradient, clip_gradient]`. Default 1e12.
    public var clipGradient: Double
    /// When model versions are published. Default every 1000 events or 5 s.
    public var publish: PublishSettings
    /// What a concept-drift alarm does. Default `.none`.
    public var onDrift: DriftResponse

    public init(
        model: ModelKind,
        loss: Loss? = nil,
        optimizer: OptimizerSettings = OptimizerSettings(),
        interceptLR: Double = 0.01,
        l1: Double = 0,
        l2: Double = 0,
        clipGradient: Double = 1e12,
        publish: PublishSettings = PublishSettings(),
        onDrift: DriftResponse = .none
    ) {
        self.model = model
        self.loss = loss ?? model.defaultLoss
        self.optimizer = optimizer
        self.interceptLR = interceptLR
        self.l1 = l1
        self.l2 = l2
        self.clipGradient = clipGradient
        self.publish = publish
        self.onDrift = onDrift
    }

    /// `model:`.
    public enum ModelKind: String, Sendable, Equatable, CaseIterable {
        /// Binary classification: p = sigmoid(w·x + b); the target is 0/1 or false/true.
        case logisticRegression = "logistic_regression"
        /// Regression: y = w·x + b.
        case linearRegression = "linear_regression"

        public var defaultLoss: Loss {
            switch self {
            case .logisticRegression: return .log
            case .linearRegression: return .squared
            }
        }

        /// The losses that make sense for this model.
        public var allowedLosses: [Loss] {
            switch self {
            case .logisticRegression: return [.log, .hinge]
            case .linearRegression: return [.squared]
            }
        }

        public var isClassifier: Bool { self == .logisticRegression }
    }

    /// `loss:`.
    public enum Loss: String, Sendable, Equatable, CaseIterable {
        /// Logistic loss (classification).
        case log
        /// Hinge loss (classification, labels as ±1).
        case hinge
        /// Squared error (regression).
        case squared
    }
}
