import OnlineML

/// The result of a prequential evaluation, as `driftline evaluate` prints it.
public struct EvaluationSummary: Sendable {
    public var topology: String
    /// Records read, rejected ones included.
    public var events: Int
    /// Accepted events with a label.
    public var labelled: Int
    public var rejections: RejectionTally
    /// Metric name → value (`accuracy`, `logloss` or `mae`, `rmse`), in a fixed order.
    public var metrics: [(name: String, value: Double)]
    public var detections: [EvaluationDetection]
    public var resets: Int
    /// Finished `on_drift: challenger` trials.
    public var challengers: [ChallengerOutcome]
    /// The final model; `nil` without a learn stage.
    public var model: ModelSummary?

    /// The final model's identity and parameters.
    public struct ModelSummary: Sendable {
        public var name: String
        public var version: Int
        /// The model document's content hash (`sha256:` + hex).
        public var contentHash: String
        public var intercept: Double
        /// Feature name → weight, in first-seen order.
        public var weights: [(name: String, weight: Double)]
        public var eventsLearned: Int
    }

    init(evaluation: PrequentialEvaluation) {
        topology = evaluation.topology.name
        events = evaluation.records
        labelled = evaluation.labelled
        rejections = evaluation.rejections
        metrics = evaluation.scores?.values ?? []
        detections = evaluation.detections
        resets = evaluation.resets
        challengers = evaluation.challengerOutcomes
        if let document = evaluation.modelDocument {
            let pipeline = document.pipeline
            model = ModelSummary(
                name: document.name, version: document.version, contentHash: document.contentHash,
                intercept: pipeline.learner.intercept, weights: pipeline.namedWeights,
                eventsLearned: pipeline.eventsLearned
            )
        }
    }

    public func metric(_ name: String) -> Double? {
        metrics.first(where: { $0.name == name })?.value
    }

    /// Detection positions (record indices) of one detector kind, in order.
    public var detectionIndices: [Int] { detections.map(\.index) }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "topology": .string(topology),
            "events": .integer(events),
            "labelled": .integer(labelled),
            "rejected": rejections.json,
            "metrics": .object(Dictionary(uniqueKeysWithValues: metrics.map { ($0.name, JSONValue.number($0.value)) })),
            "detections": .array(detections.map(\.json)),
            "resets": .integer(resets),
            "challengers": .array(challengers.map(\.json)),
        ]
        if let model {
            object["model"] = .object([
                "name": .string(model.name),
                "version": .integer(model.version),
                "content_hash": .string(model.contentHash),
                "intercept": .number(model.intercept),
                "weights": .object(Dictionary(model.weights.map { ($0.name, JSONValue.number($0.weight)) },
                                              uniquingKeysWith: { first, _ in first })),
                "events_learned": .integer(model.eventsLearned),
            ])
        } else {
            object["model"] = .null
        }
        return .object(object)
    }
}
