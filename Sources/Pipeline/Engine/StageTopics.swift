/// The topic names behind the roles a stage may forward to (``StageOutput``). The runner and
/// the test driver resolve every output through one of these.
public struct StageTopics: Sendable, Hashable {
    public var events: String
    public var features: String
    public var predictions: String
    public var models: String
    public var alerts: String
    /// Where records a stage cannot handle go (required: a bad record never stops a stage).
    public var deadLetters: String

    public init(
        events: String, features: String, predictions: String, models: String, alerts: String,
        deadLetters: String
    ) {
        self.events = events
        self.features = features
        self.predictions = predictions
        self.models = models
        self.alerts = alerts
        self.deadLetters = deadLetters
    }

    /// `NAME.events`, `NAME.features`, … as a topology called `name` defaults them.
    public init(defaultsFor name: String) {
        self.init(TopologyTopics(defaultsFor: name))
    }

    /// The topics a topology file names.
    public init(_ topics: TopologyTopics) {
        self.init(
            events: topics.events.name, features: topics.features.name,
            predictions: topics.predictions.name, models: topics.models.name,
            alerts: topics.alerts.name, deadLetters: topics.deadLetters.name)
    }

    /// The topic of a role.
    public func name(of role: TopicRole) -> String {
        switch role {
        case .events: return events
        case .features: return features
        case .predictions: return predictions
        case .models: return models
        case .alerts: return alerts
        case .deadLetters: return deadLetters
        }
    }

    /// The topic an output goes to.
    public func name(for output: StageOutput) -> String {
        switch output.target {
        case .role(let role): return name(of: role)
        case .topic(let name): return name
        }
    }
}
