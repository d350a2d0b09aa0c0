/// Linear regression (River's `linear_model.LinearRegression`): ŷ = w·x + b, squared loss by
/// default.
public struct LinearRegression: Sendable {
    public private(set) var model: LinearModel
    public var vocabulary: FeatureVocabulary

    public init(
        optimizer: OptimizerConfiguration = .sgd(0.01), loss: LossFunction = .squared, l2: Double = 0, l1: Double = 0,
        interceptLearningRate: Double = 0.01, clipGradient: Double = 1e12
    ) {
        self.init(configuration: LinearModelConfiguration(
            loss: loss, optimizer: optimizer, l2: l2, l1: l1,
            interceptLearningRate: .constant(interceptLearningRate), clipGradient: clipGradient))
    }

    public init(configuration: LinearModelConfiguration, vocabulary: FeatureVocabulary = .init()) {
        model = LinearModel(configuration: configuration)
        self.vocabulary = vocabulary
    }

    public init(model: LinearModel, vocabulary: FeatureVocabulary) {
        self.model = model
        self.vocabulary = vocabulary
    }

    public var intercept: Double { model.intercept }

    public func predictOne(_ x: FeatureVector) -> Double { model.rawPrediction(x) }

    public mutating func learnOne(_ x: FeatureVector, _ y: Double, sampleWeight: Double = 1) throws(EventRejection) {
        try model.learn(x, target: y, sampleWeight: sampleWeight)
    }

    public func predictOne(_ features: [(String, Double)]) -> Double { predictOne(vocabulary.lookup(features)) }

    public mutating func learnOne(_ features: [(String, Double)], _ y: Double) throws(EventRejection) {
        let x = vocabulary.intern(features)
        try learnOne(x, y)
    }

    public func weight(_ name: String) -> Double { model.weight(of: name, in: vocabulary) }

    public mutating func reset() { model.reset() }
}
