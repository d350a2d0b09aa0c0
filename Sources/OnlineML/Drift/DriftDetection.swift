/// What kind of drift a detection is about: the model's behaviour (an error or loss stream) or
/// the input data (one feature's distribution).
public enum DriftKind: String, Codable, Sendable, Equatable {
    case concept
    case data
}

/// The evidence that comes with every detection: which test fired, with which settings, how
/// far the statistic was past its threshold, over which windows, and where in the stream.
///
/// `position` is the 0-based index of the triggering value among the values the detector (or
/// the monitor's feature) accepted; the engine maps it to an offset and a time.
public struct DriftDetection: Codable, Sendable, Equatable {
    /// Detector or test name (`"adwin"`, `"ks"`, …).
    public var detector: String
    public var kind: DriftKind
    /// The detector's hyper-parameters, in the detector's fixed order.
    public var parameters: [DriftParameter]
    /// The feature a data-drift test watched; `nil` for concept drift.
    public var feature: String?
    /// The test statistic at the moment of detection (its meaning is per detector, see there).
    public var statistic: Double
    /// The value the statistic had to pass (for p-value tests: `alpha`, compared to `pValue`).
    public var threshold: Double
    /// The p-value where the test has one.
    public var pValue: Double?
    /// The sizes of the windows compared, oldest first (e.g. `[reference, current]`).
    public var windowSizes: [Int]
    /// 0-based index of the value that completed the detection.
    public var position: Int

    public init(
        detector: String, kind: DriftKind, parameters: [DriftParameter], feature: String? = nil,
        statistic: Double, threshold: Double, pValue: Double? = nil, windowSizes: [Int],
        position: Int
    ) {
        self.detector = detector
        self.kind = kind
        self.parameters = parameters
        self.feature = feature
        self.statistic = statistic
        self.threshold = threshold
        self.pValue = pValue
        self.windowSizes = windowSizes
        self.position = position
    }
}

/// One named hyper-parameter of a detector, kept in an array (never a dictionary) so the order
/// in an alert is stable.
public struct DriftParameter: Codable, Sendable, Equatable {
    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// A parameter value; encodes as a bare JSON number, string or boolean.
    public enum Value: Codable, Sendable, Equatable {
        case number(Double)
        case integer(Int)
        case text(String)
        case flag(Bool)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else if let integer = try? container.decode(Int.self) {
                self = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .number(let number): try container.encode(number)
            case .integer(let integer): try container.encode(integer)
            case .text(let text): try container.encode(text)
            case .flag(let flag): try container.encode(flag)
            }
        }
    }
}
