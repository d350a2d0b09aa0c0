/// Which optimizer, with which hyper-parameters: the value a topology file or a model document
/// names. Defaults are River's.
public enum OptimizerConfiguration: Sendable, Hashable {
    /// Plain SGD (River default learning rate 0.01).
    case sgd(learningRate: LearningRateSchedule)
    /// AdaGrad (River default learning rate 0.1, eps 1e-8).
    case adaGrad(learningRate: LearningRateSchedule, epsilon: Double)
    /// Adam (River defaults: learning rate 0.1, β1 0.9, β2 0.999, eps 1e-8).
    case adam(learningRate: LearningRateSchedule, beta1: Double, beta2: Double, epsilon: Double)
    /// FTRL-Proximal (River defaults: alpha 0.05, beta 1, l1 0, l2 1).
    case ftrlProximal(alpha: Double, beta: Double, l1: Double, l2: Double)

    public static func sgd(_ learningRate: Double = 0.01) -> Self { .sgd(learningRate: .constant(learningRate)) }
    public static func adaGrad(_ learningRate: Double = 0.1) -> Self {
        .adaGrad(learningRate: .constant(learningRate), epsilon: 1e-8)
    }
    public static func adam(_ learningRate: Double = 0.1) -> Self {
        .adam(learningRate: .constant(learningRate), beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    }
    public static var ftrlProximal: Self { .ftrlProximal(alpha: 0.05, beta: 1, l1: 0, l2: 1) }

    /// The registry name: `sgd`, `adagrad`, `adam`, `ftrl`.
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adaGrad: "adagrad"
        case .adam: "adam"
        case .ftrlProximal: "ftrl"
        }
    }

    public func makeOptimizer() -> any Optimizer {
        switch self {
        case .sgd(let lr): SGD(learningRate: lr)
        case .adaGrad(let lr, let eps): AdaGrad(learningRate: lr, epsilon: eps)
        case .adam(let lr, let b1, let b2, let eps): Adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
        case .ftrlProximal(let alpha, let beta, let l1, let l2): FTRLProximal(alpha: alpha, beta: beta, l1: l1, l2: l2)
        }
    }
}
