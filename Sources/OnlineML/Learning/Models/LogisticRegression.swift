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

extension LinearModel {
    /// The weight of a named feature (0 when unseen).
    public func weight(of name: String, in vocabulary: FeatureVocabulary) -> Double {
        guard let j = vocabulary.id(of: name), j < weights.count else { return 0 }
        return weights[j]
    }
}

extension FeatureVocabulary {
    /// A canonical vector of named features, assigning ids to new names.
    public mutating func intern(_ features: [(String, Double)]) -> FeatureVector {
        var x = FeatureVector()
        for (name, value) in features { x.append(intern(name), value) }
        x.canonicalize()
        return x
    }

    /// A canonical vector of the known features only (unknown ones weigh 0 anyway).
    public func lookup(_ features: [(String, Double)]) -> FeatureVector {
        var x = FeatureVector()
        for (name, value) in features {
            if let j = id(of: name) { x.append(j, value) }
        }
        x.canonicalize()
        return x
    }
}
