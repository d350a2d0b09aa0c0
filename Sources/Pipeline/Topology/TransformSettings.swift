/// The transform stage: how raw event fields become the feature vector a learner sees.
///
/// In a file:
/// `transform: {scale: standard, categorical: one_hot, missing: none, clip: 5}`.
/// Without a `transform:` stage the learner sees the raw numbers (`scale: none`) and one-hot
/// categories.
public struct TransformSettings: Sendable, Equatable {
    /// Numeric scaling. Default `.standard`.
    public var scale: Scaling
    /// Categorical encoding. Default `.oneHot`.
    public var categorical: CategoricalEncoding
    /// Width of the hashed categorical space as a power of two, for `categorical: hash`.
    /// Default 20 (1,048,576 buckets). Only allowed with `categorical: hash`.
    public var hashBits: Int
    /// What a numeric feature absent from an event (or `null`) becomes. Default `.none`.
    public var missing: MissingValues
    /// If set, scaled values are clipped to `[-clip, clip]`. Default: no clipping.
    public var clip: Double?

    /// Default `hash_bits`.
    public static let defaultHashBits = 20

    public init(
        scale: Scaling = .standard,
        categorical: CategoricalEncoding = .oneHot,
        hashBits: Int = TransformSettings.defaultHashBits,
        missing: MissingValues = .none,
        clip: Double? = nil
    ) {
        self.scale = scale
        self.categorical = categorical
        self.hashBits = hashBits
        self.missing = missing
        self.clip = clip
    }

    /// The transform used when a topology has no `transform:` stage: raw values.
    public static let passthrough = TransformSettings(scale: .none)

    /// `scale:`.
    public enum Scaling: String, Sendable, Equatable, CaseIterable {
        /// Running mean and population variance (Welford); zero variance scales to 0.
        case standard
        /// Running min and max to [0, 1].
        case minmax
        /// Raw values.
        case none
    }

    /// `categorical:`.
    public enum CategoricalEncoding: String, Sendable, Equatable, CaseIterable {
        /// One feature `field=value` per value seen.
        case oneHot = "one_hot"
        /// `field=value` hashed into `2^hash_bits` buckets (stable hash, not Swift's seeded one).
        case hash
    }

    /// `missing:`.
    public enum MissingValues: Sendable, Equatable {
        /// Absent features are simply absent (sparse): no weight moves for them.
        case none
        /// Replace with the running mean of the feature.
        case mean
        /// Replace with a constant (`missing: {constant: 0}`; bare `constant` means 0).
        case constant(Double)
        /// Absent becomes 0 plus an extra `field?missing` = 1 indicator feature.
        case indicator

        /// The file spellings.
        public static let names = ["none", "mean", "constant", "indicator"]
    }
}
