/// The part a topic plays in a topology: the keys of `topics:`.
public enum TopicRole: String, Sendable, Hashable, CaseIterable {
    case events
    case features
    case predictions
    case models
    case alerts
    case deadLetters = "dead_letters"
}

extension TopologyTopics {
    /// The topic playing `role`.
    public subscript(role: TopicRole) -> TopicSettings {
        switch role {
        case .events: return events
        case .features: return features
        case .predictions: return predictions
        case .models: return models
        case .alerts: return alerts
        case .deadLetters: return deadLetters
        }
    }
}

extension TopicSettings {
    /// Whether `cleanup.policy` includes `compact` (Kafka keeps the latest record per key).
    public var isCompacted: Bool {
        guard let policy = config.last(where: { $0.key == "cleanup.policy" })?.value else { return false }
        return policy.split(separator: ",").contains { $0.filter { $0 != " " } == "compact" }
    }
}
