/// The detect stage: concept drift on the learner's errors (or a raw field) and data drift on
/// the features. At least one of the two.
public struct DetectSettings: Sendable, Equatable {
    /// Default: none.
    public var concept: ConceptDriftSettings?
    /// Default: none.
    public var data: DataDriftSettings?
    /// Default: every 2000 inputs.
    public var checkpoint: CheckpointSettings

    public init(
        concept: ConceptDriftSettings? = nil, data: DataDriftSettings? = nil,
        checkpoint: CheckpointSettings = CheckpointSettings()
    ) {
        self.concept = concept
        self.data = data
        self.checkpoint = checkpoint
    }
}
