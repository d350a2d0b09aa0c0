/// KSWIN (Raab et al. 2020): a Kolmogorov–Smirnov test inside one sliding window, with River
/// 0.26's semantics and this project's own seeded generator.
///
/// The window holds the last `windowSize` values. Once full, on every value `statSize` distinct
/// positions are drawn uniformly from the older `windowSize − statSize` values and compared
/// with the newest `statSize` values by a two-sample KS test (exact p-value for these small
/// samples); a drift is `p ≤ alpha` and `D > 0.1`. After a drift the next value starts afresh
/// (empty window, generator re-seeded), as River does. River's own indices depend on Python's
/// generator and are not reproduced; with the same `seed` this type repeats bit-identically.
///
/// Evidence: `statistic` is `D`, `threshold` is `alpha`, `pValue` the test's p-value,
/// `windowSizes` is `[statSize, statSize]` (sampled older values, newest values).
public struct KSWIN: DriftDetector, Equatable {
    public let alpha: Double
    public let windowSize: Int
    public let statSize: Int
    public let seed: UInt64

    /// The window, oldest first; at most `windowSize` values.
    private var window: [Double] = []
    private var random: SeededRandom
    /// The p-value of the most recent test (0 before the first, as in River).
    public private(set) var pValue: Double = 0

    public private(set) var driftDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "kswin" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("alpha", .number(alpha)),
            DriftParameter("window_size", .integer(windowSize)),
            DriftParameter("stat_size", .integer(statSize)),
            DriftParameter("seed", .integer(Int(truncatingIfNeeded: seed))),
        ]
    }

    /// River's defaults: `alpha` 0.005, `windowSize` 100, `statSize` 30.
    public init(alpha: Double = 0.005, windowSize: Int = 100, statSize: Int = 30, seed: UInt64 = 42)
    {
        precondition(alpha > 0 && alpha < 1, "KSWIN alpha must lie in (0, 1)")
        precondition(statSize > 0 && windowSize >= 2 * statSize, "KSWIN needs windowSize ≥ 2·statSize")
        self.alpha = alpha
        self.windowSize = windowSize
        self.statSize = statSize
        self.seed = seed
        self.random = SeededRandom(seed: seed)
        window.reserveCapacity(windowSize)
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        window.removeAll(keepingCapacity: true)
        random = SeededRandom(seed: seed)
        pValue = 0
        driftDetected = false
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            restart()
        }
        if window.count == windowSize {
            window.removeFirst()
        }
        window.append(value)
        driftDetected = false
        if window.count == windowSize {
            let older = windowSize - statSize
            let sampled = random.sampleIndices(statSize, from: older).map { window[$0] }
            let recent = Array(window[older...])
            let result = KolmogorovSmirnov.test(sampled, recent)
            pValue = result.pValue
            if result.pValue <= alpha && result.statistic > 0.1 {
                driftDetected = true
                lastDetection = DriftDetection(
                    detector: name, kind: .concept, parameters: parameters,
                    statistic: result.statistic, threshold: alpha, pValue: result.pValue,
                    windowSizes: [statSize, statSize], position: position)
            }
        }
        position += 1
        return driftDetected
    }
}
