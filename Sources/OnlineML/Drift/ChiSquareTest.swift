/// Pearson's chi-square test of homogeneity between two samples of categories (a 2 × k
/// contingency table): do the reference and the current window come from one distribution?
///
/// Categories are the union of both samples, in sorted order (never a dictionary's order), and
/// the expected count of a cell is `row total · column total / grand total`;
/// `χ² = Σ (observed − expected)² / expected`, `dof = k − 1`, `p = Q(dof/2, χ²/2)`.
///
/// The chi-square distribution is an approximation that wants expected counts of about 5 or
/// more per cell; for a feature with thousands of categories, give the windows enough values
/// (or bucket rare categories upstream) before trusting small p-values.
public enum ChiSquareTest {
    public struct Result: Codable, Sendable, Equatable {
        public var statistic: Double
        public var degreesOfFreedom: Int
        public var pValue: Double
    }

    /// Tests two category count tables given as `(category, count)` pairs. Categories absent
    /// from a table count 0 there. With fewer than two categories the result is `χ² = 0, p = 1`.
    public static func test(reference: [(String, Int)], current: [(String, Int)]) -> Result {
        let categories = Array(Set(reference.map(\.0)).union(current.map(\.0))).sorted()
        var referenceCounts = [Double](repeating: 0, count: categories.count)
        var currentCounts = [Double](repeating: 0, count: categories.count)
        for (category, count) in reference {
            referenceCounts[indexOf(category, in: categories)] += Double(count)
        }
        for (category, count) in current {
            currentCounts[indexOf(category, in: categories)] += Double(count)
        }
        return test(referenceCounts: referenceCounts, currentCounts: currentCounts)
    }

    /// Tests two aligned count vectors (same category at the same index).
    public static func test(referenceCounts: [Double], currentCounts: [Double]) -> Result {
        precondition(referenceCounts.count == currentCounts.count)
        let referenceTotal = referenceCounts.reduce(0, +)
        let currentTotal = currentCounts.reduce(0, +)
        let grandTotal = referenceTotal + currentTotal
        var statistic = 0.0
        var used = 0
        for index in referenceCounts.indices {
            let columnTotal = referenceCounts[index] + currentCounts[index]
            if columnTotal == 0 { continue }
            used += 1
            let expectedReference = referenceTotal * columnTotal / grandTotal
            let expectedCurrent = currentTotal * columnTotal / grandTotal
            if expectedReference > 0 {
                let gap = referenceCounts[index] - expectedReference
                statistic += gap * gap / expectedReference
            }
            if expectedCurrent > 0 {
                let gap = currentCounts[index] - expectedCurrent
                statistic += gap * gap / expectedCurrent
            }
        }
        let dof = used - 1
        guard dof >= 1, referenceTotal > 0, currentTotal > 0 else {
            return Result(statistic: 0, degreesOfFreedom: Swift.max(dof, 0), pValue: 1)
        }
        let pValue = IncompleteGamma.upperRegularized(Double(dof) / 2, statistic / 2)
        return Result(statistic: statistic, degreesOfFreedom: dof, pValue: pValue)
    }

    private static func indexOf(_ category: String, in sorted: [String]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < category { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
