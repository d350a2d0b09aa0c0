/// A change detector over a stream of numbers, in River's `drift` shape: feed values with
/// `update(_:)`, read `driftDetected`, start over with `reset()`. A detector knows nothing about
/// models; the caller decides what a value means (an error bit, a loss, a raw feature).
///
/// Detectors are value types whose whole state is `Codable`, so a stage checkpoints one by
/// encoding it; decoding it later and feeding the same values continues bit-identically.
///
/// Non-finite input (NaN, ±infinity) is rejected by rule, not by accident: `update` returns
/// `false` and leaves the detector exactly as it was (not even the position advances), so one bad
/// record can never poison a running mean or a window. `rejectedValues` counts such values.
public protocol DriftDetector: Codable, Sendable {
    /// A short stable name for alerts and configuration (`"adwin"`, `"page_hinkley"`, …).
    var name: String { get }

    /// The hyper-parameters, in a fixed order, as carried by each detection.
    var parameters: [DriftParameter] { get }

    /// Adds one value. Returns `true` when this value completes a detection; `driftDetected` and
    /// `lastDetection` then describe it until the next accepted value.
    @discardableResult
    mutating func update(_ value: Double) -> Bool

    /// Whether the most recent accepted value completed a detection.
    var driftDetected: Bool { get }

    /// The evidence of the most recent detection, if there was one since the last `reset()`.
    var lastDetection: DriftDetection? { get }

    /// How many finite values were accepted since creation or the last `reset()`; the 0-based
    /// position of the next accepted value.
    var position: Int { get }

    /// How many non-finite values were refused since creation or the last `reset()`.
    var rejectedValues: Int { get }

    /// Forgets everything, as if just constructed with the same parameters.
    mutating func reset()
}

extension DriftDetector {
    /// Feeds every value in order and returns the positions at which a drift was detected.
    public mutating func detections<S: Sequence>(in values: S) -> [Int] where S.Element == Double {
        var found: [Int] = []
        for value in values where update(value) {
            found.append(position - 1)
        }
        return found
    }
}
