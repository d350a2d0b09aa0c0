/// The optimizer of a learn stage, with River's defaults.
///
/// In a file: `optimizer: {name: adam, lr: 0.01}` or just `optimizer: adam`.
public struct OptimizerSettings: Sendable, Equatable {
    /// The algorithm and its own parameters.
    public var kind: Kind
    /// Learning-rate schedule. Default `.constant`. Ignored by FTRL.
    public var schedule: LearningRateSchedule

    public init(kind: Kind = .sgd(lr: 0.01), schedule: LearningRateSchedule = .constant) {
        self.kind = kind
        self.schedule = schedule
    }

    /// The file's `name:` of this optimizer.
    public var name: String { kind.name }

    /// The base learning rate (FTRL: its `alpha`).
    public var learningRate: Double {
        switch kind {
        case .sgd(let lr), .adagrad(let lr, _): return lr
        case .adam(let lr, _, _, _): return lr
        case .ftrl(let alpha, _, _, _): return alpha
        }
    }

    /// Optimizer algorithms. Defaults are River's.
    public enum Kind: Sendable, Equatable {
        /// `w -= lr·g`. Default lr 0.01.
        case sgd(lr: Double)
        /// Per-feature accumulated squared gradients. Defaults lr 0.1, eps 1e-8.
        case adagrad(lr: Double, eps: Double)
        /// Defaults lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8.
        case adam(lr: Double, beta1: Double, beta2: Double, eps: Double)
        /// FTRL-Proximal. Defaults alpha 0.05, beta 1, l1 0, l2 1.
        case ftrl(alpha: Double, beta: Double, l1: Double, l2: Double)

        /// The file spellings of `name:`.
        public static let names = ["sgd", "adagrad", "adam", "ftrl"]

        public var name: String {
            switch self {
            case .sgd: return "sgd"
            case .adagrad: return "adagrad"
            case .adam: return "adam"
            case .ftrl: return "ftrl"
            }
        }
    }

    /// How the learning rate changes with the step count t (1-based).
    ///
    /// In a file: `schedule: constant` or `schedule: {name: inverse_scaling, power: 0.5}`.
    public enum LearningRateSchedule: Sendable, Equatable {
        /// lr at every step.
        case constant
        /// lr / t^power. Default power 0.5.
        case inverseScaling(power: Double)

        public static let names = ["constant", "inverse_scaling"]
    }
}
