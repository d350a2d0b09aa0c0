/// Any of the concept-drift detectors behind one concrete type, so a stage can hold the
/// detector its configuration names and checkpoint it without knowing which one it is.
///
/// Encodes as `{"detector": <name>, "state": <that detector's state>}`; decoding picks the type
/// by the name (one of `detectorNames`).
public struct AnyDriftDetector: DriftDetector {
    /// The wrapped detector, mutated in place.
    public private(set) var base: any DriftDetector

    /// Wraps a detector of one of the known types (`nil` otherwise, since it could not be
    /// decoded again); wrapping an `AnyDriftDetector` unwraps it.
    public init?(_ detector: any DriftDetector) {
        if let wrapped = detector as? AnyDriftDetector {
            self = wrapped
            return
        }
        guard Self.decoders[detector.name] != nil else { return nil }
        base = detector
    }

    /// The names `name` reports, accepted when decoding.
    public static let detectorNames = decoderTable.map(\.name)

    private static let decoderTable:
        [(name: String, decode: @Sendable (any Decoder) throws -> any DriftDetector)] = [
            ("adwin", { try AdaptiveWindowing(from: $0) }),
            ("page_hinkley", { try PageHinkley(from: $0) }),
            ("kswin", { try KSWIN(from: $0) }),
            ("ddm", { try DDM(from: $0) }),
            ("eddm", { try EDDM(from: $0) }),
            ("hddm_a", { try HDDMA(from: $0) }),
            ("hddm_w", { try HDDMW(from: $0) }),
        ]

    private static let decoders: [String: @Sendable (any Decoder) throws -> any DriftDetector] =
        Dictionary(uniqueKeysWithValues: decoderTable.map { ($0.name, $0.decode) })

    public var name: String { base.name }
    public var parameters: [DriftParameter] { base.parameters }
    public var driftDetected: Bool { base.driftDetected }
    public var lastDetection: DriftDetection? { base.lastDetection }
    public var position: Int { base.position }
    public var rejectedValues: Int { base.rejectedValues }

    /// Whether the wrapped detector is in its warning zone (`false` for those without one).
    public var warningDetected: Bool {
        (base as? any DriftWarningDetector)?.warningDetected ?? false
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        base.update(value)
    }

    public mutating func reset() {
        base.reset()
    }

    private enum CodingKeys: String, CodingKey {
        case detector, state
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .detector)
        guard let decode = Self.decoders[name] else {
            throw DecodingError.dataCorruptedError(
                forKey: .detector, in: container,
                debugDescription: "unknown drift detector '\(name)'")
        }
        base = try decode(try container.superDecoder(forKey: .state))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .detector)
        try base.encode(to: container.superEncoder(forKey: .state))
    }
}

/// A detector with a warning zone below its drift level (DDM, EDDM, HDDM_A, HDDM_W).
public protocol DriftWarningDetector: DriftDetector {
    /// Whether the most recent value put the detector in its warning zone.
    var warningDetected: Bool { get }
}

extension DDM: DriftWarningDetector {}
extension EDDM: DriftWarningDetector {}
extension HDDMA: DriftWarningDetector {}
extension HDDMW: DriftWarningDetector {}
