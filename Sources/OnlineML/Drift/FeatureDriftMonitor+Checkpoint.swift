/// The monitor's state in parts, one per feature, for a changelog that stores each feature
/// under its own key (Kafka Streams' key-value store changelog): one feature's windows fit in a
/// record with the default sizes (`referenceSize + windowSize` values), the whole monitor of a
/// wide event may not.
extension FeatureDriftMonitor {
    /// One feature's windows and counters; opaque outside the module, `Codable` to store it.
    public struct FeatureSnapshot: Codable, Sendable, Equatable {
        let state: FeatureState
        /// The feature's name.
        public var name: String { state.name }
    }

    /// The counters that are not per feature.
    public struct Summary: Codable, Sendable, Equatable {
        public var configuration: Configuration
        /// Feature names in first-seen order (the order the parts must be restored in).
        public var features: [String]
        public var rejectedValues: Int
        public var detectionCount: Int
    }

    /// The state as a summary and one snapshot per feature, in first-seen order.
    public var checkpointParts: (summary: Summary, features: [FeatureSnapshot]) {
        (
            Summary(
                configuration: configuration, features: featureNames, rejectedValues: rejectedValues,
                detectionCount: detectionCount),
            features.map { FeatureSnapshot(state: $0) }
        )
    }

    /// Puts a monitor back together from `checkpointParts`; continues bit-identically.
    /// - Throws: ``DriftConfigurationError`` when the snapshots do not match the summary's
    ///   feature list.
    public init(summary: Summary, features snapshots: [FeatureSnapshot]) throws {
        guard snapshots.map(\.name) == summary.features else {
            throw DriftConfigurationError(
                "data drift checkpoint: features \(snapshots.map(\.name)) do not match \(summary.features)")
        }
        self.init(configuration: summary.configuration)
        features = snapshots.map(\.state)
        for (slot, feature) in features.enumerated() {
            index[feature.name] = slot
        }
        rejectedValues = summary.rejectedValues
        detectionCount = summary.detectionCount
    }
}
