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

    /// Bucket totals, row-major: row `r`, slot `k` at `r * (maxBuckets + 1) + k`; slot 0 oldest.
    private var totals: [Double] = []
    /// Bucket variances (sum of squared deviations), same layout as `totals`.
    private var variances: [Double] = []
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
        totals = [Double](repeating: 0, count: rowLength)
        variances = [Double](repeating: 0, count: rowLength)
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
        totals[counts[0]] = value
        variances[counts[0]] = 0
        counts[0] += 1
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
        var row = 0
        while row < counts.count, counts[row] == maxBuckets + 1 {
            if row + 1 == counts.count {
                totals.append(contentsOf: repeatElement(0, count: rowLength))
                variances.append(contentsOf: repeatElement(0, count: rowLength))
                counts.append(0)
            }
            let base = row * rowLength
            let size = Self.bucketSize(row)
            let mean1 = totals[base] / size
            let mean2 = totals[base + 1] / size
            let mergedTotal = totals[base] + totals[base + 1]
            let between = size * size * (mean1 - mean2) * (mean1 - mean2) / (size + size)
            let mergedVariance = variances[base] + variances[base + 1] + between
            let next = base + rowLength
            totals[next + counts[row + 1]] = mergedTotal
            variances[next + counts[row + 1]] = mergedVariance
            counts[row + 1] += 1
            shiftRow(row, by: 2)
            if counts[row + 1] <= maxBuckets {
                break
            }
            row += 1
        }
    }

    /// Drops the `n` oldest buckets of a row.
    @inline(__always)
    private mutating func shiftRow(_ row: Int, by n: Int) {
        let rowLength = maxBuckets + 1
        let base = row * rowLength
        for slot in n..<rowLength {
            totals[base + slot - n] = totals[base + slot]
            variances[base + slot - n] = variances[base + slot]
        }
        for slot in (rowLength - n)..<rowLength {
            totals[base + slot] = 0
            variances[base + slot] = 0
        }
        counts[row] -= n
    }

    /// Removes the oldest bucket; returns its size.
    private mutating func deleteOldest() -> Double {
        let lastRow = counts.count - 1
        let base = lastRow * (maxBuckets + 1)
        let size = Self.bucketSize(lastRow)
        let bucketTotal = totals[base]
        let bucketMean = bucketTotal / size
        let bucketVariance = variances[base]
        width -= size
        total -= bucketTotal
        let windowMean = total / width
        variance -=
            bucketVariance
            + size * width * (bucketMean - windowMean) * (bucketMean - windowMean) / (size + width)
        shiftRow(lastRow, by: 1)
        if counts[lastRow] == 0 && lastRow > 0 {
            counts.removeLast()
            totals.removeLast(maxBuckets + 1)
            variances.removeLast(maxBuckets + 1)
        }
        return size
    }

    private mutating func detectChange() -> Bool {
        tick += 1
        guard tick % clock == 0, width > Double(gracePeriod) else {
            return false
        }
        let rowLength = maxBuckets + 1
        let minimum = Double(minWindowLength)
        var changed = false
        var shrinking = true
        while shrinking {
            shrinking = false
            var n0 = 0.0
            var n1 = width
            var u0 = 0.0
            var u1 = total
            // Constant over one scan: depends on the width only.
            let deltaPrime = Double.log(2 * Double.log(width) / delta)
            let windowVariance = variance / width
            scan: for row in stride(from: counts.count - 1, through: 0, by: -1) {
                let size = Self.bucketSize(row)
                let base = row * rowLength
                let candidates = counts[row]
                if candidates <= 0 { continue }
                for slot in 0..<candidates {
                    let bucketTotal = totals[base + slot]
                    n0 += size
                    n1 -= size
                    u0 += bucketTotal
                    u1 -= bucketTotal
                    if row == 0 && slot == candidates - 1 { break scan }
                    guard n1 >= minimum, n0 >= minimum else { continue }
                    let deltaMean = u0 / n0 - u1 / n1
                    let mRecip = 1.0 / (n0 - minimum + 1) + 1.0 / (n1 - minimum + 1)
                    let epsilon =
                        (2 * mRecip * windowVariance * deltaPrime).squareRoot()
                        + 2.0 / 3.0 * deltaPrime * mRecip
                    if abs(deltaMean) > epsilon {
                        if !changed {
                            lastDetection = DriftDetection(
                                detector: name, kind: .concept, parameters: parameters,
                                statistic: abs(deltaMean), threshold: epsilon,
                                windowSizes: [Int(n0), Int(n1)], position: position)
                        }
                        changed = true
                        shrinking = true
                        if width > 0 {
                            _ = deleteOldest()
                            break scan
                        }
                    }
                }
            }
        }
        return changed
    }
}
