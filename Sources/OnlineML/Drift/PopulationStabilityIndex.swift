import RealModule

/// The population stability index between a reference sample and a current sample of one
/// numeric feature: `PSI = Σ_bins (c − r) · ln(c / r)` over the share `r` of the reference and
/// `c` of the current sample in each bin. Rule of thumb: < 0.1 stable, 0.1–0.2 moderate shift,
/// > 0.2 significant shift.
///
/// Bins come from the reference quantiles: the cut points are the sorted reference's values at
/// ranks `⌊i · n / bins⌋`, `i = 1 … bins − 1`, with duplicates removed (so a discrete feature gets
/// fewer bins); a value `v` falls in the first bin whose cut point is `≥ v`, or the last bin.
/// An empty bin's share is floored at `minimumShare` (1e−4) so the logarithm stays finite.
public enum PopulationStabilityIndex {
    public static let minimumShare = 1e-4

    /// Cut points for `bins` quantile bins of a sorted reference sample.
    public static func cutPoints(sortedReference: [Double], bins: Int) -> [Double] {
        precondition(bins >= 2 && !sortedReference.isEmpty)
        var cuts: [Double] = []
        let n = sortedReference.count
        for i in 1..<bins {
            let value = sortedReference[Swift.min(n - 1, i * n / bins)]
            if cuts.last != value { cuts.append(value) }
        }
        return cuts
    }

    /// The bin of `value` given ascending cut points (`0 … cuts.count`).
    @inline(__always)
    public static func bin(of value: Double, cuts: [Double]) -> Int {
        var low = 0
        var high = cuts.count
        while low < high {
            let middle = (low + high) / 2
            if cuts[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Counts per bin (`cuts.count + 1` bins).
    public static func histogram(_ values: [Double], cuts: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: cuts.count + 1)
        for value in values { counts[bin(of: value, cuts: cuts)] += 1 }
        return counts
    }

    /// PSI from two aligned histograms.
    public static func index(referenceCounts: [Int], currentCounts: [Int]) -> Double {
        precondition(referenceCounts.count == currentCounts.count)
        let referenceTotal = Double(referenceCounts.reduce(0, +))
        let currentTotal = Double(currentCounts.reduce(0, +))
        guard referenceTotal > 0, currentTotal > 0 else { return 0 }
        var sum = 0.0
        for index in referenceCounts.indices {
            let r = Swift.max(Double(referenceCounts[index]) / referenceTotal, minimumShare)
            let c = Swift.max(Double(currentCounts[index]) / currentTotal, minimumShare)
            sum += (c - r) * Double.log(c / r)
        }
        return sum
    }

    /// PSI of `current` against `reference` with `bins` reference-quantile bins.
    public static func index(reference: [Double], current: [Double], bins: Int = 10) -> Double {
        let cuts = cutPoints(sortedReference: reference.sorted(), bins: bins)
        return index(
            referenceCounts: histogram(reference, cuts: cuts),
            currentCounts: histogram(current, cuts: cuts))
    }
}
