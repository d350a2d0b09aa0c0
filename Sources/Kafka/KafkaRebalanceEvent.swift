/// A change of a consumer's partition assignment, delivered to its rebalance handler on the
/// polling thread, inside the poll call that served it.
///
/// `assigned` arrives after the partitions were assigned (seek or restore state there);
/// `revoked` arrives before they are given up (checkpoint state and commit there).
public struct KafkaRebalanceEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case assigned
        case revoked
    }

    /// The group's rebalance protocol, which decides whether an event covers the whole
    /// assignment (eager) or only the partitions that move (cooperative).
    public enum RebalanceProtocol: String, Sendable, Hashable {
        case eager = "EAGER"
        case cooperative = "COOPERATIVE"
        case none = "NONE"
    }

    public var kind: Kind
    /// The partitions added or removed, sorted.
    public var partitions: [KafkaTopicPartition]
    public var rebalanceProtocol: RebalanceProtocol
    /// For `revoked`: the partitions were lost (session timed out), so another member may
    /// already own them and commits for them will fail.
    public var isLost: Bool
}
