/// Every topic a topology's stages use.
///
/// Each one defaults to the topology name plus a suffix, so `topics:` may be omitted entirely:
/// `NAME.events`, `NAME.features`, `NAME.predictions`, `NAME.models`, `NAME.drift-alerts`,
/// `NAME.dlq`.
public struct TopologyTopics: Sendable, Equatable {
    /// Input events (JSON objects). Default `NAME.events`.
    public var events: TopicSettings
    /// transform → learn. Default `NAME.features`.
    public var features: TopicSettings
    /// learn → detect and any consumer. Default `NAME.predictions`.
    public var predictions: TopicSettings
    /// The versioned, compacted model topic. Default `NAME.models`.
    public var models: TopicSettings
    /// Drift alerts with evidence. Default `NAME.drift-alerts`.
    public var alerts: TopicSettings
    /// Records a stage could not handle. Default `NAME.dlq`.
    public var deadLetters: TopicSettings

    /// The file keys, in the order a topology file lists them.
    public static let keys = ["events", "features", "predictions", "models", "alerts", "dead_letters"]

    /// The default topics of a topology called `name`.
    public init(defaultsFor name: String) {
        events = TopicSettings(name: "\(name).events")
        features = TopicSettings(name: "\(name).features")
        predictions = TopicSettings(name: "\(name).predictions")
        models = TopicSettings(name: "\(name).models")
        alerts = TopicSettings(name: "\(name).drift-alerts")
        deadLetters = TopicSettings(name: "\(name).dlq")
    }

    /// All six, in `keys` order.
    public var all: [TopicSettings] {
        [events, features, predictions, models, alerts, deadLetters]
    }
}
