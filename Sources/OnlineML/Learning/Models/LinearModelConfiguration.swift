/// Hyper-parameters of a generalized linear model (River's `GLM`); defaults are River's.
public struct LinearModelConfiguration: Sendable, Hashable {
    public var loss: LossFunction
    public var optimizer: OptimizerConfiguration
    /// L2 coefficient, applied lazily: only features present in the event get `l2·w_j` added to
    /// their gradient.
    public var l2: Double
    /// L1 coefficient, applied as River does: a cumulative penalty (Tsuruoka et al. 2009) after
    /// each optimizer step, on the event's features only.
    public var l1: Double
    /// Starting value of the intercept.
    public var interceptInit: Double
    /// The intercept always takes a plain SGD step with this rate (schedule read at the
    /// optimizer's step count), whatever the optimizer; 0 freezes it.
    public var interceptLearningRate: LearningRateSchedule
    /// The loss gradient (times the sample weight) is clamped to ±this.
    public var clipGradient: Double

    public init(
        loss: LossFunction = .squared, optimizer: OptimizerConfiguration = .sgd(0.01), l2: Double = 0,
        l1: Double = 0, interceptInit: Double = 0, interceptLearningRate: LearningRateSchedule = .constant(0.01),
        clipGradient: Double = 1e12
    ) {
        self.loss = loss
        self.optimizer = optimizer
        self.l2 = l2
        self.l1 = l1
        self.interceptInit = interceptInit
        self.interceptLearningRate = interceptLearningRate
        self.clipGradient = clipGradient
    }
}
