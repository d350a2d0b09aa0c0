/// A complete online model: schema + feature transformer + linear learner, sharing one feature
/// vocabulary. This is what the learn stage runs and what a ``ModelDocument`` saves.
///
/// ``processOne(_:)`` is the prequential step: predict with the state before the event, then
/// learn from it when it has a target. Rejected events (``EventRejection``) change nothing.
public struct ModelPipeline: Sendable {
    public let configuration: ModelPipelineConfiguration
    public internal(set) var transformer: FeatureTransformer
    public internal(set) var vocabulary: FeatureVocabulary
    public internal(set) var learner: LinearModel
    /// Events learned since creation (or the last full reset).
    public internal(set) var eventsLearned: Int = 0

    /// The vocabulary's canonical name order of the last document written, for the next one.
    let nameOrder = FeatureNameOrder.Kept()

    private var predictVector = FeatureVector()
    private var learnVector = FeatureVector()

    public init(configuration: ModelPipelineConfiguration) {
        self.configuration = configuration
        transformer = FeatureTransformer(configuration: configuration.transformer, schema: configuration.schema)
        vocabulary = FeatureVocabulary()
        learner = LinearModel(configuration: configuration.learner)
    }

    init(
        configuration: ModelPipelineConfiguration, transformer: FeatureTransformer, vocabulary: FeatureVocabulary,
        learner: LinearModel, eventsLearned: Int
    ) {
        self.configuration = configuration
        self.transformer = transformer
        self.vocabulary = vocabulary
        self.learner = learner
        self.eventsLearned = eventsLearned
    }

    /// Predicts without learning (the transformer uses statistics of earlier events only).
    public mutating func predictOne(_ event: Event) throws(EventRejection) -> Prediction {
        _ = try transformer.prepare(event)
        transformer.transformPrepared(into: &predictVector)
        return prediction(raw: learner.rawPrediction(predictVector))
    }

    /// Learns from a labelled event (no prediction).
    public mutating func learnOne(_ event: Event) throws(EventRejection) {
        let targetValue = try transformer.prepare(event)
        let y = try decodeTarget(targetValue)
        try learnPrepared(event, y)
    }

    /// Prequential step: predict first, then learn when the event has a target.
    public mutating func processOne(_ event: Event) throws(EventRejection) -> PrequentialOutcome {
        let targetValue = try transformer.prepare(event)
        guard let targetValue, targetValue != .null else {
            transformer.transformPrepared(into: &predictVector)
            return PrequentialOutcome(prediction: prediction(raw: learner.rawPrediction(predictVector)), target: nil, learned: false)
        }
        let y = try decodeTarget(targetValue)
        // One pass computes both vectors; the prediction still uses the state before the event.
        transformer.prequentialPrepared(event, predict: &predictVector, learn: &learnVector, vocabulary: &vocabulary)
        let p = prediction(raw: learner.rawPrediction(predictVector))
        try learner.learn(learnVector, target: y)
        eventsLearned += 1
        return PrequentialOutcome(prediction: p, target: y, learned: true)
    }

    private mutating func learnPrepared(_ event: Event, _ y: Double) throws(EventRejection) {
        transformer.learnPrepared(event, into: &learnVector, vocabulary: &vocabulary)
        try learner.learn(learnVector, target: y)
        eventsLearned += 1
    }

    private func prediction(raw: Double) -> Prediction {
        switch configuration.task {
        case .regression:
            return Prediction(raw: raw, value: raw, label: nil)
        case .binaryClassification:
            let p = saturatingSigmoid(raw)
            return Prediction(raw: raw, value: p, label: p > 0.5)
        }
    }

    /// The target as a number: the value for regression, 0/1 for classification.
    public func decodeTarget(_ value: FieldValue?) throws(EventRejection) -> Double {
        let field = configuration.schema.target ?? "target"
        guard let value, value != .null else { throw .missingTarget(field: field) }
        switch (configuration.task, value) {
        case (.regression, .number(let y)):
            guard y.isFinite else { throw .nonFiniteValue(field: field) }
            guard abs(y) <= ValueLimits.maxMagnitude else { throw .valueOutOfRange(field: field, value: y) }
            return y
        case (.regression, .bool(let b)):
            return b ? 1 : 0
        case (.regression, _):
            throw .invalidTarget(field: field, detail: "a \(value.typeName) is not a number")
        case (.binaryClassification, .bool(let b)):
            return b ? 1 : 0
        case (.binaryClassification, .number(let y)):
            guard y == 0 || y == 1 else { throw .invalidTarget(field: field, detail: "\(y) is not 0 or 1") }
            return y
        case (.binaryClassification, .string(let s)):
            if let positive = configuration.positiveLabel { return s == positive ? 1 : 0 }
            switch s.lowercased() {
            case "true", "1": return 1
            case "false", "0": return 0
            default: throw .invalidTarget(field: field, detail: "\"\(s)\" is not a boolean label (set a positive label)")
            }
        case (.binaryClassification, .null):
            throw .missingTarget(field: field)
        }
    }

    /// Restarts the learner from zero weights, keeping the transformer's statistics
    /// (River's "reset the LogisticRegression, keep the scaler").
    public mutating func resetLearner() {
        learner.reset()
    }

    /// Restarts everything: transformer, vocabulary and learner.
    public mutating func resetAll() {
        self = ModelPipeline(configuration: configuration)
    }

    /// The weight of a named feature (0 when unseen).
    public func weight(_ name: String) -> Double { learner.weight(of: name, in: vocabulary) }

    /// Weights by feature name, in vocabulary (first-seen) order.
    public var namedWeights: [(name: String, weight: Double)] {
        (0..<min(vocabulary.count, learner.weights.count)).map { (vocabulary.names[$0], learner.weights[$0]) }
    }
}
