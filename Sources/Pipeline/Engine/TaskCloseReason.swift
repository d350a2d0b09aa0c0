/// Why a task ends, passed to ``Stage/close(_:context:)``.
public enum TaskCloseReason: String, Sendable, Hashable {
    /// The group moved the partition to another member (or revoked it to rebalance).
    case revoked
    /// The partition was lost (session timed out): another member may already own it and this
    /// task's offsets can no longer be committed.
    case lost
    /// The runner is shutting down gracefully.
    case shutdown
}
