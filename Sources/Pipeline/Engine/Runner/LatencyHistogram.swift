/// A histogram of durations in seconds with fixed bucket bounds, shaped like a Prometheus
/// histogram (`le` upper bounds, a running sum and count), so an exporter maps it directly.
public struct LatencyHistogram: Sendable, Hashable {
    /// 1 µs … 1 s: per-record processing spans a few microseconds to a slow restore.
    public static let defaultUpperBounds: [Double] = [
        0.000_001, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1,
    ]

    /// Bucket upper bounds in seconds, ascending; a last, implicit bucket is +Inf.
    public let upperBounds: [Double]
    /// Observations per bucket (not cumulative); `upperBounds.count + 1` entries, the last
    /// for values above every bound.
    public private(set) var bucketCounts: [Int]
    /// Sum of all observations, seconds.
    public private(set) var sum: Double = 0
    /// Number of observations.
    public private(set) var count: Int = 0

    public init(upperBounds: [Double] = LatencyHistogram.defaultUpperBounds) {
        self.upperBounds = upperBounds
        bucketCounts = Array(repeating: 0, count: upperBounds.count + 1)
    }

    /// Adds one observation.
    public mutating func record(seconds: Double) {
        var index = 0
        while index < upperBounds.count && seconds > upperBounds[index] { index += 1 }
        bucketCounts[index] += 1
        sum += seconds
        count += 1
    }

    /// Adds one observation.
    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        record(seconds: Double(seconds) + Double(attoseconds) * 1e-18)
    }

    /// Counts of observations ≤ each bound, then the total (Prometheus' cumulative `le`).
    public var cumulativeCounts: [Int] {
        var running = 0
        return bucketCounts.map { running += $0; return running }
    }
}
