/// Concept-drift detection: one detector over one stream.
///
/// In a file:
/// `concept: {detector: adwin, delta: 0.002, input: error}` watches the learner's 0/1 errors;
/// `concept: {detector: page_hinkley, input: {field: x}}` watches a raw event field, with no
/// learner needed (a topology may consist of only a detect stage).
public struct ConceptDriftSettings: Sendable, Equatable {
    /// The detector and its parameters. Required.
    public var detector: DetectorSettings
    /// What the detector is fed. Default `.error` with a learn stage, required without.
    public var input: Input

    public init(detector: DetectorSettings, input: Input = .error) {
        self.detector = detector
        self.input = input
    }

    /// `input:`.
    public enum Input: Sendable, Equatable {
        /// 1 if the prediction was wrong, else 0 (classification); absolute error (regression).
        case error
        /// The learner's loss on the event (before learning from it).
        case loss
        /// A numeric event field, raw (`{field: x}`).
        case field(String)
    }
}
