/// A concept-drift detector and its parameters. Defaults are River's, so results compare.
///
/// In a file the detector's parameters sit beside its name:
/// `concept: {detector: adwin, delta: 0.002, clock: 32, input: error}`.
public enum DetectorSettings: Sendable, Equatable {
    /// ADWIN: adaptive windowing over a real-valued stream.
    /// Defaults: delta 0.002, clock 32, max_buckets 5, min_window_length 5, grace_period 10.
    case adwin(delta: Double, clock: Int, maxBuckets: Int, minWindowLength: Int, gracePeriod: Int)
    /// Page-Hinkley test on the running mean.
    /// Defaults: min_instances 30, delta 0.005, threshold 50, alpha 0.9999, mode both.
    case pageHinkley(minInstances: Int, delta: Double, threshold: Double, alpha: Double, mode: PageHinkleyMode)
    /// Kolmogorov–Smirnov windowing. Samples at random, so it takes a seed (determinism).
    /// `stat_size` must be at most half of `window_size`.
    /// Defaults: alpha 0.005, window_size 100, stat_size 30, seed 42.
    case kswin(alpha: Double, windowSize: Int, statSize: Int, seed: Int)
    /// Drift Detection Method on a 0/1 error stream.
    /// Defaults: warm_start 30, warning_threshold 2, drift_threshold 3.
    case ddm(warmStart: Int, warningThreshold: Double, driftThreshold: Double)
    /// Early DDM (distance between errors). Defaults: warm_start 30, alpha 0.95, beta 0.9.
    case eddm(warmStart: Int, alpha: Double, beta: Double)
    /// Hoeffding-bound drift detection, averages.
    /// Defaults: drift_confidence 0.001, warning_confidence 0.005, two_sided_test false.
    case hddmA(driftConfidence: Double, warningConfidence: Double, twoSidedTest: Bool)
    /// Hoeffding-bound drift detection, exponentially weighted.
    /// Defaults: drift_confidence 0.001, warning_confidence 0.005, lambda 0.05, two_sided_test false.
    case hddmW(driftConfidence: Double, warningConfidence: Double, lambda: Double, twoSidedTest: Bool)

    /// The file spellings of `detector:`.
    public static let names = ["adwin", "page_hinkley", "kswin", "ddm", "eddm", "hddm_a", "hddm_w"]

    public var name: String {
        switch self {
        case .adwin: return "adwin"
        case .pageHinkley: return "page_hinkley"
        case .kswin: return "kswin"
        case .ddm: return "ddm"
        case .eddm: return "eddm"
        case .hddmA: return "hddm_a"
        case .hddmW: return "hddm_w"
        }
    }

    /// Detectors defined on a 0/1 stream only (`input: error`).
    public var needsBinaryInput: Bool {
        switch self {
        case .ddm, .eddm: return true
        default: return false
        }
    }

    /// Page-Hinkley's direction: `both` (default), `up` (increases only) or `down`.
    public enum PageHinkleyMode: String, Sendable, Equatable, CaseIterable {
        case both, up, down
    }
}
