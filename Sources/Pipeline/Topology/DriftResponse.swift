/// What a learn stage does when the concept-drift detector raises an alarm.
///
/// In a file: `on_drift: none` (the default), `on_drift: reset` (scope `model`),
/// `on_drift: {action: reset, scope: pipeline}`, or `on_drift: challenger`.
public enum DriftResponse: Sendable, Equatable {
    /// Keep learning; the alarm is only reported.
    case none
    /// Restart from zero weights (and optimizer state), keeping or resetting the transformer.
    case reset(scope: ResetScope)
    /// Start a challenger model from zero beside the champion and promote it when it does better.
    case challenger

    /// The file spellings of `action`.
    public static let actions = ["none", "reset", "challenger"]

    /// What a reset restarts.
    public enum ResetScope: String, Sendable, Equatable, CaseIterable {
        /// The learner only; the scaler keeps its running statistics. The default.
        case model
        /// The learner and the transformer.
        case pipeline
    }
}
