/// How the ``FeatureTransformer`` turns event fields into features.
public struct TransformerConfiguration: Sendable, Hashable {
    /// Scaling of numeric fields.
    public enum Scaling: String, Sendable, Hashable {
        /// Raw values.
        case none
        /// (x − mean) / std with running Welford statistics (population variance); 0 when the
        /// variance is 0, like River's `StandardScaler`.
        case standard
        /// (x − min) / (max − min) with running extremes; 0 when max = min, like River's
        /// `MinMaxScaler`.
        case minMax = "min_max"
    }

    /// Encoding of categorical fields.
    public enum CategoricalEncoding: Sendable, Hashable {
        /// One feature `field=value` per category seen; only the event's category is emitted
        /// (value 1). An unseen category at prediction time contributes nothing.
        case oneHot
        /// Feature hashing into 2^bits shared buckets named `#bucket` (value 1, collisions add up),
        /// with ``StableHash/featureHash(field:value:)``.
        case hashing(bits: Int)
    }

    /// What to do with a null or absent numeric field that the transformer already knows.
    public enum MissingValues: Sendable, Hashable {
        /// Leave the feature out (River's behaviour: an absent key).
        case skip
        /// Use the running mean of the field (before scaling; not counted in the statistics).
        case mean
        /// Use this raw value (before scaling; not counted in the statistics).
        case constant(Double)
    }

    public var scaling: Scaling
    public var categorical: CategoricalEncoding
    public var missing: MissingValues
    /// Also emit `field:missing` = 1 when a known field is null or absent.
    public var missingIndicator: Bool
    /// Clamp raw numeric values into this range before anything else (statistics included), so
    /// extreme values cannot dominate the running statistics.
    public var inputClip: ClosedRange<Double>?
    /// Clamp scaled values to ±this bound (e.g. 5 standard deviations).
    public var outputClip: Double?

    public init(
        scaling: Scaling = .standard, categorical: CategoricalEncoding = .oneHot,
        missing: MissingValues = .skip, missingIndicator: Bool = false,
        inputClip: ClosedRange<Double>? = nil, outputClip: Double? = nil
    ) {
        self.scaling = scaling
        self.categorical = categorical
        self.missing = missing
        self.missingIndicator = missingIndicator
        self.inputClip = inputClip
        self.outputClip = outputClip
    }
}
