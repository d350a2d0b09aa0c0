/// What a learn stage does when the concept-drift detector raises an alarm.
///
/// In a file: `on_drift: none` (the default), `on_drift: reset` (scope `model`),
/// `on_drift: {action: reset, scope: pipeline}`, `on_drift: challenger` or
/// `on_drift: {action: challenger, trial: 500}`.
public enum DriftResponse: Sendable, Equatable {
    /// Keep learning; the alarm is only reported.
    case none
    /// Restart from zero weights (and optimizer state), keeping or resetting the transformer.
    case reset(scope: ResetScope)
    /// Start a challenger from zero weights beside the champion (which keeps serving); after
    /// `trial` labelled events the one with the lower mean loss over the trial is kept.
    /// Default trial 1000.
    case challenger(trial: Int)

    /// Default `trial` of a challenger.
    public static let defaultTrial = 1000

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
