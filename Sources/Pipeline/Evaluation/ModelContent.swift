import OnlineML

/// The learned content of a model as JSON — intercept and named weights — whose canonical
/// encoding is hashed into the content hash. Two runs that learned the same thing hash the same.
enum ModelContent {
    static func json(of model: ModelPipeline) -> JSONValue {
        .object([
            "intercept": .number(model.learner.intercept),
            "weights": .array(model.namedWeights.map { .array([.string($0.name), .number($0.weight)]) }),
            "events_learned": .integer(model.eventsLearned),
        ])
    }
}
