/// A detector configuration that cannot be built: unknown detector or parameter, wrong type,
/// or a value out of range. Thrown instead of the detectors' preconditions, so a bad topology
/// file is an error message, not a crash.
public struct DriftConfigurationError: Error, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension AnyDriftDetector {
    /// Builds a detector from its name (one of `detectorNames`) and River-named parameters
    /// (`delta`, `clock`, `max_buckets`, `min_window_length`, `grace_period`, `min_instances`,
    /// `threshold`, `alpha`, `mode`, `window_size`, `stat_size`, `seed`, `warm_start`,
    /// `warning_threshold`, `drift_threshold`, `beta`, `drift_confidence`,
    /// `warning_confidence`, `two_sided_test`, `lambda`); absent parameters take the defaults.
    public init(name: String, parameters: [DriftParameter] = []) throws {
        var reader = ParameterReader(detector: name, parameters: parameters)
        let detector: any DriftDetector
        switch name {
        case "adwin":
            let delta = try reader.number("delta", 0.002) { $0 > 0 && $0 < 1 }
            let clock = try reader.integer("clock", 32) { $0 >= 1 }
            let maxBuckets = try reader.integer("max_buckets", 5) { $0 >= 2 }
            let minWindow = try reader.integer("min_window_length", 5) { $0 >= 1 }
            let grace = try reader.integer("grace_period", 10) { $0 >= 0 }
            detector = AdaptiveWindowing(
                delta: delta, clock: clock, maxBuckets: maxBuckets, minWindowLength: minWindow,
                gracePeriod: grace)
        case "page_hinkley":
            let minInstances = try reader.integer("min_instances", 30) { $0 >= 1 }
            let delta = try reader.number("delta", 0.005) { $0 >= 0 }
            let threshold = try reader.number("threshold", 50) { $0 > 0 }
            let alpha = try reader.number("alpha", 1 - 0.0001) { $0 > 0 && $0 <= 1 }
            let modeName = try reader.text("mode", "both")
            guard let mode = PageHinkley.Mode(rawValue: modeName) else {
                throw DriftConfigurationError("page_hinkley: mode must be up, down or both")
            }
            detector = PageHinkley(
                minInstances: minInstances, delta: delta, threshold: threshold, alpha: alpha,
                mode: mode)
        case "kswin":
            let alpha = try reader.number("alpha", 0.005) { $0 > 0 && $0 < 1 }
            let windowSize = try reader.integer("window_size", 100) { $0 >= 2 }
            let statSize = try reader.integer("stat_size", 30) { $0 >= 1 && 2 * $0 <= windowSize }
            let seed = try reader.integer("seed", 42) { $0 >= 0 }
            detector = KSWIN(
                alpha: alpha, windowSize: windowSize, statSize: statSize, seed: UInt64(seed))
        case "ddm":
            let warmStart = try reader.integer("warm_start", 30) { $0 >= 0 }
            let warning = try reader.number("warning_threshold", 2) { $0 > 0 }
            let drift = try reader.number("drift_threshold", 3) { $0 >= warning }
            detector = DDM(warmStart: warmStart, warningThreshold: warning, driftThreshold: drift)
        case "eddm":
            let warmStart = try reader.integer("warm_start", 30) { $0 >= 0 }
            let alpha = try reader.number("alpha", 0.95) { $0 > 0 && $0 <= 1 }
            let beta = try reader.number("beta", 0.9) { $0 > 0 && $0 <= alpha }
            detector = EDDM(warmStart: warmStart, alpha: alpha, beta: beta)
        case "hddm_a":
            let drift = try reader.number("drift_confidence", 0.001) { $0 > 0 && $0 < 1 }
            let warning = try reader.number("warning_confidence", 0.005) { $0 > 0 && $0 < 1 }
            let twoSided = try reader.flag("two_sided_test", false)
            detector = HDDMA(
                driftConfidence: drift, warningConfidence: warning, twoSidedTest: twoSided)
        case "hddm_w":
            let drift = try reader.number("drift_confidence", 0.001) { $0 > 0 && $0 < 1 }
            let warning = try reader.number("warning_confidence", 0.005) { $0 > 0 && $0 < 1 }
            let lambda = try reader.number("lambda", 0.05) { $0 > 0 && $0 <= 1 }
            let twoSided = try reader.flag("two_sided_test", false)
            detector = HDDMW(
                driftConfidence: drift, warningConfidence: warning, lambda: lambda,
                twoSidedTest: twoSided)
        default:
            throw DriftConfigurationError(
                "unknown drift detector '\(name)' (known: "
                    + Self.detectorNames.joined(separator: ", ") + ")")
        }
        try reader.finish()
        self.init(detector)!
    }
}

/// Reads named parameters in order, checking type and range, and reports leftovers.
private struct ParameterReader {
    let detector: String
    var remaining: [DriftParameter]

    init(detector: String, parameters: [DriftParameter]) {
        self.detector = detector
        self.remaining = parameters
    }

    private mutating func take(_ name: String) throws -> DriftParameter.Value? {
        let matches = remaining.filter { $0.name == name }
        guard matches.count <= 1 else {
            throw DriftConfigurationError("\(detector): parameter '\(name)' given twice")
        }
        remaining.removeAll { $0.name == name }
        return matches.first?.value
    }

    mutating func number(
        _ name: String, _ fallback: Double, valid: (Double) -> Bool
    ) throws -> Double {
        let value: Double
        switch try take(name) {
        case nil: return fallback
        case .number(let number)?: value = number
        case .integer(let integer)?: value = Double(integer)
        default: throw DriftConfigurationError("\(detector): '\(name)' must be a number")
        }
        guard value.isFinite, valid(value) else {
            throw DriftConfigurationError("\(detector): '\(name)' = \(value) is out of range")
        }
        return value
    }

    mutating func integer(_ name: String, _ fallback: Int, valid: (Int) -> Bool) throws -> Int {
        let value: Int
        switch try take(name) {
        case nil: return fallback
        case .integer(let integer)?: value = integer
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15:
            value = Int(number)
        default: throw DriftConfigurationError("\(detector): '\(name)' must be an integer")
        }
        guard valid(value) else {
            throw DriftConfigurationError("\(detector): '\(name)' = \(value) is out of range")
        }
        return value
    }

    mutating func text(_ name: String, _ fallback: String) throws -> String {
        switch try take(name) {
        case nil: return fallback
        case .text(let text)?: return text
        default: throw DriftConfigurationError("\(detector): '\(name)' must be a string")
        }
    }

    mutating func flag(_ name: String, _ fallback: Bool) throws -> Bool {
        switch try take(name) {
        case nil: return fallback
        case .flag(let flag)?: return flag
        default: throw DriftConfigurationError("\(detector): '\(name)' must be true or false")
        }
    }

    func finish() throws {
        if let unknown = remaining.first {
            throw DriftConfigurationError("\(detector): unknown parameter '\(unknown.name)'")
        }
    }
}
