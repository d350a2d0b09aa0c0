/// Data-drift monitoring per feature: for a flat stream of `(feature, value)` updates, each
/// feature's first `referenceSize` accepted values form its reference window; after that a
/// sliding window of its latest `windowSize` values is compared with the reference.
///
/// When to test: once the current window is full, every `testInterval` values of that feature
/// (default `windowSize`: consecutive, non-overlapping windows, so each value is judged once and
/// the cost is one test per window). Numeric features use the configured `NumericTest`
/// (two-sample KS with the asymptotic Kolmogorov p-value, or PSI over reference-quantile bins);
/// categorical features use the chi-square homogeneity test. After a detection the feature
/// re-baselines by default: its windows are cleared and the next `referenceSize` values become
/// the new reference, so one shift raises one alert instead of one per window.
///
/// Memory is bounded by the windows: per feature at most `referenceSize + windowSize` values.
/// A feature's kind is fixed by its first accepted value; a value of the other kind, or a
/// non-finite number, is refused and counted in `rejectedValues` (state otherwise unchanged).
/// Features are kept in first-seen order; the state is `Codable` for checkpoints.
public struct FeatureDriftMonitor: Sendable, Equatable {
    /// One update's value.
    public enum Value: Codable, Sendable, Equatable {
        case number(Double)
        case category(String)
    }

    /// The test for numeric features.
    public enum NumericTest: Codable, Sendable, Equatable {
        /// Two-sample Kolmogorov–Smirnov; drift when the asymptotic p-value is `< alpha`.
        case kolmogorovSmirnov(alpha: Double)
        /// Population stability index over `bins` reference-quantile bins; drift when
        /// `PSI > threshold` (0.2 is the usual "significant shift").
        case populationStability(threshold: Double, bins: Int)
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var numericTest: NumericTest
        /// Significance for the chi-square test of categorical features.
        public var categoricalAlpha: Double
        public var referenceSize: Int
        public var windowSize: Int
        /// Values between two tests once the window is full; `windowSize` when not given.
        public var testInterval: Int
        /// Start a new reference after each detection (see the type's documentation).
        public var rebaselineAfterDetection: Bool

        /// A configuration; invalid values are a programming error here (see `validated`
        /// for values that come from a file).
        public init(
            numericTest: NumericTest = .kolmogorovSmirnov(alpha: 0.001),
            categoricalAlpha: Double = 0.001, referenceSize: Int = 5000, windowSize: Int = 1000,
            testInterval: Int? = nil, rebaselineAfterDetection: Bool = true
        ) {
            self.numericTest = numericTest
            self.categoricalAlpha = categoricalAlpha
            self.referenceSize = referenceSize
            self.windowSize = windowSize
            self.testInterval = testInterval ?? windowSize
            self.rebaselineAfterDetection = rebaselineAfterDetection
            if let problem = problem {
                preconditionFailure(problem)
            }
        }

        /// The same configuration, or a `DriftConfigurationError` saying what is wrong with it.
        public static func validated(
            numericTest: NumericTest = .kolmogorovSmirnov(alpha: 0.001),
            categoricalAlpha: Double = 0.001, referenceSize: Int = 5000, windowSize: Int = 1000,
            testInterval: Int? = nil, rebaselineAfterDetection: Bool = true
        ) throws -> Configuration {
            var configuration = Configuration()
            configuration.numericTest = numericTest
            configuration.categoricalAlpha = categoricalAlpha
            configuration.referenceSize = referenceSize
            configuration.windowSize = windowSize
            configuration.testInterval = testInterval ?? windowSize
            configuration.rebaselineAfterDetection = rebaselineAfterDetection
            if let problem = configuration.problem {
                throw DriftConfigurationError(problem)
            }
            return configuration
        }

        /// What is wrong with this configuration, if anything.
        var problem: String? {
            if referenceSize < 1 || windowSize < 1 || testInterval < 1 {
                return "data drift: reference, window and test interval must be at least 1"
            }
            if !(categoricalAlpha > 0 && categoricalAlpha < 1) {
                return "data drift: the chi-square alpha must lie in (0, 1)"
            }
            switch numericTest {
            case .kolmogorovSmirnov(let alpha):
                if !(alpha > 0 && alpha < 1) { return "data drift: KS alpha must lie in (0, 1)" }
            case .populationStability(let threshold, let bins):
                if !(threshold > 0 && threshold.isFinite) || bins < 2 {
                    return "data drift: PSI needs a threshold > 0 and at least 2 bins"
                }
            }
            return nil
        }
    }

    /// One feature's windows.
    struct FeatureState: Codable, Sendable, Equatable {
        var name: String
        var isNumeric: Bool
        /// Reference values; numeric ones sorted once the reference is complete.
        var referenceNumbers: [Double] = []
        var referenceCategories: [String] = []
        /// The current window as a ring buffer; `head` is the next slot to overwrite when full.
        var currentNumbers: [Double] = []
        var currentCategories: [String] = []
        var head: Int = 0
        var sinceTest: Int = 0
        /// Accepted values of this feature so far (the next value's position).
        var position: Int = 0
        /// Reference quantile cut points for PSI, computed when the reference completes.
        var cuts: [Double] = []
    }

    public let configuration: Configuration
    var features: [FeatureState] = []
    /// Name → index into `features`; rebuilt on decode, never iterated.
    var index: [String: Int] = [:]
    public internal(set) var rejectedValues: Int = 0
    /// Detections since creation, across features.
    public internal(set) var detectionCount: Int = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Features seen so far, in first-seen order.
    public var featureNames: [String] { features.map(\.name) }

    /// Whether a feature's reference window is complete (tests can run).
    public func hasReference(_ feature: String) -> Bool {
        guard let slot = index[feature] else { return false }
        let state = features[slot]
        let count = state.isNumeric ? state.referenceNumbers.count : state.referenceCategories.count
        return count == configuration.referenceSize
    }

    public mutating func update(feature: String, number: Double) -> DriftDetection? {
        update(feature: feature, .number(number))
    }

    public mutating func update(feature: String, category: String) -> DriftDetection? {
        update(feature: feature, .category(category))
    }

    /// Adds one value of one feature; returns the detection when this value completes a window
    /// whose test finds drift.
    public mutating func update(feature: String, _ value: Value) -> DriftDetection? {
        let isNumeric: Bool
        switch value {
        case .number(let number):
            guard number.isFinite else {
                rejectedValues += 1
                return nil
            }
            isNumeric = true
        case .category:
            isNumeric = false
        }
        let slot: Int
        if let existing = index[feature] {
            guard features[existing].isNumeric == isNumeric else {
                rejectedValues += 1
                return nil
            }
            slot = existing
        } else {
            slot = features.count
            features.append(FeatureState(name: feature, isNumeric: isNumeric))
            index[feature] = slot
        }
        return add(value, to: slot)
    }

    private mutating func add(_ value: Value, to slot: Int) -> DriftDetection? {
        let referenceSize = configuration.referenceSize
        let windowSize = configuration.windowSize
        var state = features[slot]
        features[slot] = FeatureState(name: "", isNumeric: true)  // drop the copy's storage owner
        defer { features[slot] = state }
        let position = state.position
        state.position += 1

        switch value {
        case .number(let number):
            if state.referenceNumbers.count < referenceSize {
                state.referenceNumbers.append(number)
                if state.referenceNumbers.count == referenceSize {
                    state.referenceNumbers.sort()
                    if case .populationStability(_, let bins) = configuration.numericTest {
                        state.cuts = PopulationStabilityIndex.cutPoints(
                            sortedReference: state.referenceNumbers, bins: bins)
                    }
                }
                return nil
            }
            if state.currentNumbers.count < windowSize {
                state.currentNumbers.append(number)
            } else {
                state.currentNumbers[state.head] = number
                state.head = (state.head + 1) % windowSize
            }
        case .category(let category):
            if state.referenceCategories.count < referenceSize {
                state.referenceCategories.append(category)
                return nil
            }
            if state.currentCategories.count < windowSize {
                state.currentCategories.append(category)
            } else {
                state.currentCategories[state.head] = category
                state.head = (state.head + 1) % windowSize
            }
        }
        state.sinceTest += 1
        let windowFull =
            (state.isNumeric ? state.currentNumbers.count : state.currentCategories.count)
            == windowSize
        guard windowFull, state.sinceTest >= configuration.testInterval else { return nil }
        state.sinceTest = 0

        guard let detection = test(state, position: position) else { return nil }
        detectionCount += 1
        if configuration.rebaselineAfterDetection {
            state = FeatureState(name: state.name, isNumeric: state.isNumeric)
            state.position = position + 1
        }
        return detection
    }

    /// Runs the feature's test on its current windows; the detection if it finds drift.
    private func test(_ state: FeatureState, position: Int) -> DriftDetection? {
        let windowSizes = [configuration.referenceSize, configuration.windowSize]
        let shared: [DriftParameter] = [
            DriftParameter("reference_size", .integer(configuration.referenceSize)),
            DriftParameter("window_size", .integer(configuration.windowSize)),
            DriftParameter("test_interval", .integer(configuration.testInterval)),
        ]
        if !state.isNumeric {
            let result = ChiSquareTest.test(
                reference: Self.counts(state.referenceCategories),
                current: Self.counts(state.currentCategories))
            guard result.pValue < configuration.categoricalAlpha else { return nil }
            return DriftDetection(
                detector: "chi_square", kind: .data,
                parameters: [DriftParameter("alpha", .number(configuration.categoricalAlpha))]
                    + shared + [DriftParameter("dof", .integer(result.degreesOfFreedom))],
                feature: state.name, statistic: result.statistic,
                threshold: configuration.categoricalAlpha, pValue: result.pValue,
                windowSizes: windowSizes, position: position)
        }
        switch configuration.numericTest {
        case .kolmogorovSmirnov(let alpha):
            let result = KolmogorovSmirnov.test(
                sortedA: state.referenceNumbers, sortedB: state.currentNumbers.sorted(),
                allowExact: false)
            guard result.pValue < alpha else { return nil }
            return DriftDetection(
                detector: "ks", kind: .data,
                parameters: [DriftParameter("alpha", .number(alpha))] + shared,
                feature: state.name, statistic: result.statistic, threshold: alpha,
                pValue: result.pValue, windowSizes: windowSizes, position: position)
        case .populationStability(let threshold, let bins):
            let psi = PopulationStabilityIndex.index(
                referenceCounts: PopulationStabilityIndex.histogram(
                    state.referenceNumbers, cuts: state.cuts),
                currentCounts: PopulationStabilityIndex.histogram(
                    state.currentNumbers, cuts: state.cuts))
            guard psi > threshold else { return nil }
            return DriftDetection(
                detector: "psi", kind: .data,
                parameters: [
                    DriftParameter("threshold", .number(threshold)),
                    DriftParameter("bins", .integer(bins)),
                ] + shared,
                feature: state.name, statistic: psi, threshold: threshold,
                windowSizes: windowSizes, position: position)
        }
    }

    /// `(category, count)` pairs in sorted category order.
    private static func counts(_ values: [String]) -> [(String, Int)] {
        var result: [(String, Int)] = []
        for value in values.sorted() {
            if result.last?.0 == value {
                result[result.count - 1].1 += 1
            } else {
                result.append((value, 1))
            }
        }
        return result
    }
}

extension FeatureDriftMonitor: Codable {
    private enum CodingKeys: String, CodingKey {
        case configuration, features, rejectedValues, detectionCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        configuration = try container.decode(Configuration.self, forKey: .configuration)
        features = try container.decode([FeatureState].self, forKey: .features)
        rejectedValues = try container.decode(Int.self, forKey: .rejectedValues)
        detectionCount = try container.decode(Int.self, forKey: .detectionCount)
        for (slot, feature) in features.enumerated() {
            index[feature.name] = slot
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(features, forKey: .features)
        try container.encode(rejectedValues, forKey: .rejectedValues)
        try container.encode(detectionCount, forKey: .detectionCount)
    }
}
