/// Data (feature) drift: each feature's recent window against a fixed reference window.
///
/// In a file: `data: {test: ks, reference: 5000, window: 1000, alpha: 0.001}` or
/// `data: {test: psi, threshold: 0.2, bins: 10}`.
public struct DataDriftSettings: Sendable, Equatable {
    /// The two-sample test. Required.
    public var test: Test
    /// Events forming the reference sample (the first N). Default 5000.
    public var reference: Int
    /// Events in the sliding window compared to the reference. Default 1000.
    public var window: Int
    /// Significance level for `ks` and `chi2`: alarm when p < alpha. Default 0.001.
    public var alpha: Double
    /// Alarm level for `psi`: alarm when PSI > threshold. Default 0.2.
    public var threshold: Double
    /// Quantile bins of the reference for `psi`. Default 10.
    public var bins: Int
    /// Features to watch; `nil` (the default) watches every numeric (`ks`, `psi`) or categorical
    /// (`chi2`) field of the schema.
    public var features: [String]?

    public init(
        test: Test,
        reference: Int = 5000,
        window: Int = 1000,
        alpha: Double = 0.001,
        threshold: Double = 0.2,
        bins: Int = 10,
        features: [String]? = nil
    ) {
        self.test = test
        self.reference = reference
        self.window = window
        self.alpha = alpha
        self.threshold = threshold
        self.bins = bins
        self.features = features
    }

    /// `test:`.
    public enum Test: String, Sendable, Equatable, CaseIterable {
        /// Two-sample Kolmogorov–Smirnov on numeric features.
        case ks
        /// Population stability index on numeric features.
        case psi
        /// Chi-squared on categorical features' value counts.
        case chi2
    }
}
