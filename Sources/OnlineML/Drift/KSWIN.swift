/// KSWIN (Raab et al. 2020): a Kolmogorov–Smirnov test inside one sliding window, with River
/// 0.26's semantics and this project's own seeded generator.
///
/// The window holds the last `windowSize` values. Once full, on every value `statSize` distinct
/// positions are drawn uniformly from the older `windowSize − statSize` values and compared
/// with the newest `statSize` values by a two-sample KS test (exact p-value for these small
/// samples, asymptotic when `statSize² > KolmogorovSmirnov.exactLimit`); a drift is
/// `p ≤ alpha` and `D > 0.1`. After a drift the next value starts afresh
/// (empty window, generator re-seeded), as River does. Drawing with this project's
/// `SeededRandom`, runs repeat bit-identically for a seed but differ from River's; driven by
/// Python's generator instead (the tests do), it reproduces River's detection indices exactly.
///
/// Evidence: `statistic` is `D`, `threshold` is `alpha`, `pValue` the test's p-value,
/// `windowSizes` is `[statSize, statSize]` (sampled older values, newest values).
public struct KSWIN: DriftDetector, Equatable {
    public let alpha: Double
    public let windowSize: Int
    public let statSize: Int
    public let seed: UInt64

    /// The window as a ring buffer of at most `windowSize` values; once full, `head` is the
    /// slot of the oldest value.
    private var window: [Double] = []
    private var head: Int = 0
    private var random: SeededRandom
    /// The p-value of the most recent test (0 before the first, as in River).
    public private(set) var pValue: Double = 0
    /// Exact p-values by statistic: both samples have `statSize` values, so `D = h / statSize`
    /// and only `statSize + 1` p-values exist; computed once (derived, not encoded).
    private var pValueByNumerator: [Double] = []

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
        precondition(
            statSize > 0 && windowSize >= 2 * statSize, "KSWIN needs windowSize ≥ 2·statSize")
        self.alpha = alpha
        self.windowSize = windowSize
        self.statSize = statSize
        self.seed = seed
        self.random = SeededRandom(seed: seed)
        window.reserveCapacity(windowSize)
        pValueByNumerator = Self.exactPValues(statSize: statSize)
    }

    /// The exact p-value for every possible `D = h / statSize`, when the sizes allow it.
    private static func exactPValues(statSize: Int) -> [Double] {
        guard statSize * statSize <= KolmogorovSmirnov.exactLimit else { return [] }
        return (0...statSize).map { h in
            KolmogorovSmirnov.exactPValue(
                statistic: Double(h) / Double(statSize), n: statSize, m: statSize)
        }
    }

    public mutating func reset() {
        restart()
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func restart() {
        window.removeAll(keepingCapacity: true)
        head = 0
        random = SeededRandom(seed: seed)
        pValue = 0
        driftDetected = false
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard accept(value) else { return false }
        var generator = random
        let found = step(value) { generator.sampleIndices($0, from: $1) }
        random = generator
        return found
    }

    /// As `update(_:)`, but the older positions to compare are drawn by `draw(count, population)`
    /// (the tests replay River's own generator through this to check the semantics exactly).
    @discardableResult
    mutating func update(_ value: Double, drawing draw: (Int, Int) -> [Int]) -> Bool {
        guard accept(value) else { return false }
        return step(value, draw)
    }

    /// Refuses non-finite values; restarts after a detection. Returns whether to go on.
    private mutating func accept(_ value: Double) -> Bool {
        guard value.isFinite else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            restart()
        }
        return true
    }

    private mutating func step(_ value: Double, _ draw: (Int, Int) -> [Int]) -> Bool {
        if window.count < windowSize {
            window.append(value)
        } else {
            window[head] = value
            head = (head + 1) % windowSize
        }
        driftDetected = false
        if window.count == windowSize {
            let older = windowSize - statSize
            let sampled = draw(statSize, older)
                .map { window[(head + $0) % windowSize] }.sorted()
            let recent = (older..<windowSize).map { window[(head + $0) % windowSize] }.sorted()
            let statistic = KolmogorovSmirnov.statistic(sortedA: sampled, sortedB: recent)
            if pValueByNumerator.isEmpty {
                pValue = KolmogorovSmirnov.asymptoticPValue(
                    statistic: statistic, n: statSize, m: statSize)
            } else {
                pValue = pValueByNumerator[Int((statistic * Double(statSize)).rounded())]
            }
            let result = (statistic: statistic, pValue: pValue)
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

    private enum CodingKeys: String, CodingKey {
        case alpha, windowSize, statSize, seed, window, head, random, pValue, driftDetected
        case lastDetection, position, rejectedValues
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        alpha = try container.decode(Double.self, forKey: .alpha)
        windowSize = try container.decode(Int.self, forKey: .windowSize)
        statSize = try container.decode(Int.self, forKey: .statSize)
        seed = try container.decode(UInt64.self, forKey: .seed)
        window = try container.decode([Double].self, forKey: .window)
        head = try container.decode(Int.self, forKey: .head)
        random = try container.decode(SeededRandom.self, forKey: .random)
        pValue = try container.decode(Double.self, forKey: .pValue)
        driftDetected = try container.decode(Bool.self, forKey: .driftDetected)
        lastDetection = try container.decodeIfPresent(DriftDetection.self, forKey: .lastDetection)
        position = try container.decode(Int.self, forKey: .position)
        rejectedValues = try container.decode(Int.self, forKey: .rejectedValues)
        guard statSize > 0, windowSize >= 2 * statSize, window.count <= windowSize,
            head >= 0, head < windowSize
        else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "inconsistent KSWIN state"))
        }
        pValueByNumerator = Self.exactPValues(statSize: statSize)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alpha, forKey: .alpha)
        try container.encode(windowSize, forKey: .windowSize)
        try container.encode(statSize, forKey: .statSize)
        try container.encode(seed, forKey: .seed)
        try container.encode(window, forKey: .window)
        try container.encode(head, forKey: .head)
        try container.encode(random, forKey: .random)
        try container.encode(pValue, forKey: .pValue)
        try container.encode(driftDetected, forKey: .driftDetected)
        try container.encodeIfPresent(lastDetection, forKey: .lastDetection)
        try container.encode(position, forKey: .position)
        try container.encode(rejectedValues, forKey: .rejectedValues)
    }
}
