import RealModule

/// ADWIN (adaptive windowing; Bifet & Gavaldà 2007), with River 0.26's exact semantics.
///
/// The window is kept as an exponential histogram: row `r` holds up to `maxBuckets` buckets of
/// `2^r` values each (a total and a variance per bucket), so memory is O(maxBuckets · log W).
/// When a row overflows, its two oldest buckets merge into one bucket of the next row.
///
/// Every `clock` updates (once the window is longer than `gracePeriod`), every boundary between
/// buckets splits the window into an older part W0 and a newer part W1; a cut holds when
/// `|mean(W0) − mean(W1)| > ε`, with
/// `ε = sqrt(2 · m · σ² · δ') + 2/3 · δ' · m`, `m = 1/(n0 − L + 1) + 1/(n1 − L + 1)`,
/// `δ' = ln(2 · ln(W) / δ)`, `σ²` the window's variance and `L = minWindowLength`; both parts
/// must hold at least `L` values. On a cut the oldest bucket is dropped and the scan restarts,
/// until no cut holds. Boundaries are visited from the oldest bucket to the newest; the boundary
/// after the newest bucket (W1 empty) is never a cut.
///
/// After a detection the next value starts a fresh window: River 0.26's `ADWIN.update` resets
/// its helper when `drift_detected` was set, and only that reproduces the detection indices in
/// `Tests/Fixtures/REFERENCE.md` (keeping the shrunken window gives extra detections, e.g.
/// 10047 right after 10015). The tick counter restarts too, so with `clock` 32 detections fall on
/// `(i + 1 − start) % 32 == 0` for the index `start` of the window's first value.
///
/// Evidence: `statistic` is `|mean(W0) − mean(W1)|` at the first cut of the detecting update,
/// `threshold` its `ε`, `windowSizes` `[n0, n1]` there.
public struct AdaptiveWindowing: DriftDetector, Equatable {
    public let delta: Double
    public let clock: Int
    public let maxBuckets: Int
    public let minWindowLength: Int
    public let gracePeriod: Int

    /// One bucket's summary: the sum of its values and their sum of squared deviations.
    struct Bucket: Codable, Sendable, Equatable {
        var total: Double
        var variance: Double

        static let empty = Bucket(total: 0, variance: 0)
    }

    /// The buckets, row-major: row `r`, slot `k` at `r * (maxBuckets + 1) + k`; slot 0 is the
    /// oldest. Unused slots hold zeros, so equal windows have equal states.
    private var buckets: [Bucket] = []
    /// Buckets in use per row.
    private var counts: [Int] = []

    /// Number of values in the window.
    public private(set) var width: Double = 0
    /// Sum of the values in the window.
    public private(set) var total: Double = 0
    /// Sum of squared deviations from the window mean.
    public private(set) var variance: Double = 0
    private var tick: Int = 0
    /// Detections since creation or `reset()`, across River-style internal restarts.
    public private(set) var detectionCount: Int = 0

    public private(set) var driftDetected: Bool = false
    public private(set) var lastDetection: DriftDetection?
    public private(set) var position: Int = 0
    public private(set) var rejectedValues: Int = 0

    public var name: String { "adwin" }

    public var parameters: [DriftParameter] {
        [
            DriftParameter("delta", .number(delta)),
            DriftParameter("clock", .integer(clock)),
            DriftParameter("max_buckets", .integer(maxBuckets)),
            DriftParameter("min_window_length", .integer(minWindowLength)),
            DriftParameter("grace_period", .integer(gracePeriod)),
        ]
    }

    /// River's defaults: `delta` 0.002, `clock` 32, `maxBuckets` 5, `minWindowLength` 5,
    /// `gracePeriod` 10.
    public init(
        delta: Double = 0.002, clock: Int = 32, maxBuckets: Int = 5, minWindowLength: Int = 5,
        gracePeriod: Int = 10
    ) {
        precondition(delta > 0 && delta < 1, "ADWIN delta must lie in (0, 1)")
        precondition(clock >= 1 && maxBuckets >= 2 && minWindowLength >= 1 && gracePeriod >= 0)
        self.delta = delta
        self.clock = clock
        self.maxBuckets = maxBuckets
        self.minWindowLength = minWindowLength
        self.gracePeriod = gracePeriod
        clearWindow()
    }

    /// Mean of the window (0 when empty).
    public var estimation: Double { width == 0 ? 0 : total / width }

    /// Buckets in use across all rows: the memory footprint, O(maxBuckets · log2 W).
    public var bucketCount: Int { counts.reduce(0, +) }

    /// Rows of the exponential histogram.
    public var rowCount: Int { counts.count }

    public mutating func reset() {
        clearWindow()
        detectionCount = 0
        driftDetected = false
        lastDetection = nil
        position = 0
        rejectedValues = 0
    }

    private mutating func clearWindow() {
        let rowLength = maxBuckets + 1
        buckets = [Bucket](repeating: .empty, count: rowLength)
        counts = [0]
        width = 0
        total = 0
        variance = 0
        tick = 0
    }

    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite else {
            rejectedValues += 1
            return false
        }
        if driftDetected {
            clearWindow()
        }
        insert(value)
        compress()
        driftDetected = detectChange()
        if driftDetected {
            detectionCount += 1
        }
        position += 1
        return driftDetected
    }

    @inline(__always)
    private static func bucketSize(_ row: Int) -> Double {
        Double(1 << row)
    }

    private mutating func insert(_ value: Double) {
        let slot = counts[0]
        buckets[slot] = Bucket(total: value, variance: 0)
        counts[0] = slot + 1
        width += 1
        if width > 1 {
            let previousMean = total / (width - 1)
            variance += (width - 1) * (value - previousMean) * (value - previousMean) / width
        }
        total += value
    }

    /// Merges the two oldest buckets of every overflowing row into the next row.
    private mutating func compress() {
        let rowLength = maxBuckets + 1
        guard counts[0] == rowLength else { return }
        var row = 0
        while true {
            if row + 1 == counts.count {
                buckets.append(contentsOf: repeatElement(.empty, count: rowLength))
                counts.append(0)
            }
            let size = Self.bucketSize(row)
            let base = row * rowLength
            let target = base + rowLength + counts[row + 1]
            buckets.withUnsafeMutableBufferPointer { rows in
                let first = rows[base]
                let second = rows[base + 1]
                let mean1 = first.total / size
                let mean2 = second.total / size
                let between = size * size * (mean1 - mean2) * (mean1 - mean2) / (size + size)
                rows[target] = Bucket(
                    total: first.total + second.total,
                    variance: first.variance + second.variance + between)
                Self.dropOldest(2, ofRowAt: base, length: rowLength, in: rows)
            }
            counts[row] -= 2
            counts[row + 1] += 1
            if counts[row + 1] <= maxBuckets {
                break
            }
            row += 1
        }
    }

    /// Shifts a row left by `n` slots, dropping its `n` oldest buckets; zeros the freed slots.
    @inline(__always)
    private static func dropOldest(
        _ n: Int, ofRowAt base: Int, length: Int, in rows: UnsafeMutableBufferPointer<Bucket>
    ) {
        for slot in n..<length {
            rows[base + slot - n] = rows[base + slot]
        }
        for slot in (length - n)..<length {
            rows[base + slot] = .empty
        }
    }

    /// Removes the oldest bucket; returns its size.
    private mutating func deleteOldest() -> Double {
        let rowLength = maxBuckets + 1
        let lastRow = counts.count - 1
        let base = lastRow * rowLength
        let size = Self.bucketSize(lastRow)
        let bucket = buckets[base]
        let bucketMean = bucket.total / size
        width -= size
        total -= bucket.total
        let windowMean = total / width
        variance -=
            bucket.variance
            + size * width * (bucketMean - windowMean) * (bucketMean - windowMean) / (size + width)
        buckets.withUnsafeMutableBufferPointer { rows in
            Self.dropOldest(1, ofRowAt: base, length: rowLength, in: rows)
        }
        counts[lastRow] -= 1
        if counts[lastRow] == 0 && lastRow > 0 {
            counts.removeLast()
            buckets.removeLast(rowLength)
        }
        return size
    }

    /// A boundary where the cut test holds.
    private struct Cut {
        var n0: Double
        var n1: Double
        var meanDifference: Double
        var epsilon: Double
    }

    private mutating func detectChange() -> Bool {
        tick += 1
        guard tick % clock == 0, width > Double(gracePeriod) else {
            return false
        }
        var changed = false
        // As River: on a cut, drop the oldest bucket and scan again, until no cut holds.
        while let cut = firstCut() {
            if !changed {
                lastDetection = DriftDetection(
                    detector: name, kind: .concept, parameters: parameters,
                    statistic: abs(cut.meanDifference), threshold: cut.epsilon,
                    windowSizes: [Int(cut.n0), Int(cut.n1)], position: position)
            }
            changed = true
            _ = deleteOldest()
        }
        return changed
    }

    /// Scans the boundaries from the oldest bucket to the newest; the first that cuts.
    private func firstCut() -> Cut? {
        let rowLength = maxBuckets + 1
        let minimum = Double(minWindowLength)
        // Constant over one scan: they depend on the window only.
        let deltaPrime = Double.log(2 * Double.log(width) / delta)
        let windowVariance = variance / width
        let screenScale = 2 * windowVariance * deltaPrime
        var n0 = 0.0
        var n1 = width
        var u0 = 0.0
        var u1 = total
        return buckets.withUnsafeBufferPointer { rows -> Cut? in
            for row in stride(from: counts.count - 1, through: 0, by: -1) {
                let size = Self.bucketSize(row)
                let base = row * rowLength
                let candidates = counts[row]
                for slot in 0..<candidates {
                    let bucketTotal = rows[base + slot].total
                    n0 += size
                    n1 -= size
                    u0 += bucketTotal
                    u1 -= bucketTotal
                    if row == 0 && slot == candidates - 1 { return nil }
                    guard n1 >= minimum, n0 >= minimum else { continue }
                    // Screen without division or square root: a cut needs
                    // |Δ| > ε ≥ sqrt(2σ²δ'/min(n0, n1)), i.e. (u0·n1 − u1·n0)² >
                    // 2σ²δ'·n0·n1·max(n0, n1). Where that fails with room to spare (a slack
                    // for rounding in both this and River's formula, a 1e-6 margin) no cut is
                    // possible; everywhere else ε is computed exactly as River does.
                    let cross = u0 * n1 - u1 * n0
                    let slack = 0x1p-49 * (abs(u0) * n1 + abs(u1) * n0)
                    let reach = abs(cross) + slack
                    if reach * reach < screenScale * n0 * n1 * Swift.max(n0, n1) * (1 - 1e-6) {
                        continue
                    }
                    let deltaMean = u0 / n0 - u1 / n1
                    let mRecip = 1.0 / (n0 - minimum + 1) + 1.0 / (n1 - minimum + 1)
                    let epsilon =
                        (2 * mRecip * windowVariance * deltaPrime).squareRoot()
                        + 2.0 / 3.0 * deltaPrime * mRecip
                    if abs(deltaMean) > epsilon {
                        return Cut(n0: n0, n1: n1, meanDifference: deltaMean, epsilon: epsilon)
                    }
                }
            }
            return nil
        }
    }
}
