/// Where a stage sends a record: a topology role (resolved to a topic name through the
/// runner's ``StageTopics``) or any topic by name, for user stages.
///
/// ```swift
/// context.forward(record, to: .predictions)
/// context.forward(record, to: .topic("audit"))
/// ```
public struct StageOutput: Sendable, Hashable, CustomStringConvertible {
    enum Target: Sendable, Hashable {
        case role(TopicRole)
        case topic(String)
    }

    let target: Target

    public static let features = StageOutput(target: .role(.features))
    public static let predictions = StageOutput(target: .role(.predictions))
    public static let models = StageOutput(target: .role(.models))
    public static let alerts = StageOutput(target: .role(.alerts))
    public static let deadLetters = StageOutput(target: .role(.deadLetters))
    /// The `events` role: stages that re-publish events (replays, generators).
    public static let events = StageOutput(target: .role(.events))

    /// A topology role.
    public static func role(_ role: TopicRole) -> StageOutput { StageOutput(target: .role(role)) }
    /// A topic by its Kafka name.
    public static func topic(_ name: String) -> StageOutput { StageOutput(target: .topic(name)) }

    public var description: String {
        switch target {
        case .role(let role): return role.rawValue
        case .topic(let name): return name
        }
    }
}
