/// How often the detect stage checkpoints its detectors to the changelog topic: every
/// `every_events` inputs of a task (and always on revocation and shutdown). A restore
/// re-processes at most that many inputs, and every checkpoint writes one record per detector
/// and monitored feature: a smaller interval restores faster and writes more.
///
/// In a file: `stages.detect.checkpoint: {every_events: 2000}`.
public struct CheckpointSettings: Sendable, Equatable {
    /// Inputs of a task between two checkpoints. Default 2000.
    public var everyEvents: Int

    public init(everyEvents: Int = 2000) {
        self.everyEvents = everyEvents
    }
}
