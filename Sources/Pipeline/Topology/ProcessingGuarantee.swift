/// How often a stage may apply an input record, across crashes and rebalances.
///
/// In a file: `guarantee: at_least_once` (the default) or `guarantee: exactly_once`.
public enum ProcessingGuarantee: String, Sendable, Equatable, CaseIterable {
    /// Offsets are committed only after outputs are delivered; a crash may replay records.
    case atLeastOnce = "at_least_once"
    /// Outputs, model update and input offsets commit in one Kafka transaction.
    case exactlyOnce = "exactly_once"
}
