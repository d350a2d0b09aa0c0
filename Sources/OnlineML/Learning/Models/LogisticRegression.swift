/// Binary logistic regression (River's `linear_model.LogisticRegression`): p = σ(w·x + b) with
/// River's saturating sigmoid; predicted class true iff p > 0.5.
///
/// Works on id-based ``FeatureVector``s; ``vocabulary`` names the ids (the named-feature methods
/// intern names into it).
public struct LogisticRegression: Sendable {
    public private(set) var model: LinearModel
    public var vocabulary: FeatureVocabulary

    public init(
        optimizer: OptimizerConfiguration = .sgd(0.01), loss: LossFunction = .log, l2: Double = 0, l1: Double = 0,
        interceptLearningRate: Double = 0.01, clipGradient: Double = 1e12
    ) {
        self.init(configuration: LinearModelConfiguration(
            loss: loss, optimizer: optimizer, l2: l2, l1: l1,
            interceptLearningRate: .constant(interceptLearningRate), clipGradient: clipGradient))
    }

    public init(configuration: LinearModelConfiguration, vocabulary: FeatureVocabulary = .init()) {
        precondition(configuration.loss.isBinary, "logistic regression needs a binary loss (log or hinge)")
        model = LinearModel(configuration: configuration)
        self.vocabulary = vocabulary
    }

    public init(model: LinearModel, vocabulary: FeatureVocabulary) {
        self.model = model
        self.vocabulary = vocabulary
    }

    public var intercept: Double { model.intercept }

    /// P(y = true).
    public func predictProbaOne(_ x: FeatureVector) -> Double { saturatingSigmoid(model.rawPrediction(x)) }

    public func predictOne(_ x: FeatureVector) -> Bool { predictProbaOne(x) > 0.5 }

    public mutating func learnOne(_ x: FeatureVector, _ y: Bool, sampleWeight: Double = 1) throws(EventRejection) {
        try model.learn(x, target: y ? 1 : 0, sampleWeight: sampleWeight)
    }

    public func predictProbaOne(_ features: [(String, Double)]) -> Double {
        predictProbaOne(vocabulary.lookup(features))
    }

    public mutating func learnOne(_ features: [(String, Double)], _ y: Bool) throws(EventRejection) {
        let x = vocabulary.intern(features)
        try learnOne(x, y)
    }

    /// The weight of a named feature (0 when unseen).
    public func weight(_ name: String) -> Double { model.weight(of: name, in: vocabulary) }

    public mutating func reset() { model.reset() }
}
