/// A stage failed outside record processing (creating, restoring, punctuating,
/// checkpointing or closing a task). Unlike a bad record this stops the runner: the task's
/// state is in doubt, and its uncommitted inputs are processed again after a restart.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    /// What the engine was doing: "create", "restore", "punctuate", "checkpoint" or "close".
    public var phase: String
    public var task: StageTaskID
    public var underlying: any Error

    public init(phase: String, task: StageTaskID, underlying: any Error) {
        self.phase = phase
        self.task = task
        self.underlying = underlying
    }

    public var description: String { "stage \(task) failed to \(phase): \(underlying)" }
}
