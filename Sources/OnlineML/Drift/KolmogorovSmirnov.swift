import RealModule

/// The two-sample Kolmogorov–Smirnov test: `D = sup |F_a(x) − F_b(x)|` over the empirical
/// distribution functions of two samples, with its two-sided p-value.
///
/// - `asymptoticPValue`: Kolmogorov's limit distribution,
///   `Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}` at `λ = D · sqrt(n·m/(n+m))` (no small-sample
///   correction; it is the large-window approximation the feature monitor uses).
/// - `exactPValue`: `P(D ≥ d)` under the null by counting monotone lattice paths from (0, 0) to
///   (n, m) that stay strictly inside the band (Hodges 1958), as SciPy's `ks_2samp` does for
///   small samples. Needs `n · m ≤ exactLimit`.
public enum KolmogorovSmirnov {
    /// Largest `n · m` for which `exactPValue` is computed (path counts stay within Double range).
    public static let exactLimit = 10_000

    /// The result of one two-sample test.
    public struct Result: Codable, Sendable, Equatable {
        public var statistic: Double
        public var pValue: Double
        /// Whether `pValue` is exact (lattice paths) rather than asymptotic.
        public var isExact: Bool
    }

    /// The statistic `D` for two samples that are already sorted ascending.
    public static func statistic(sortedA a: [Double], sortedB b: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "KS needs two non-empty samples")
        let n = Double(a.count)
        let m = Double(b.count)
        var i = 0
        var j = 0
        var largest = 0.0
        while i < a.count && j < b.count {
            // Step past every copy of the smallest remaining value in both samples, so ties
            // move both distribution functions together.
            let x = Swift.min(a[i], b[j])
            while i < a.count && a[i] <= x { i += 1 }
            while j < b.count && b[j] <= x { j += 1 }
            largest = Swift.max(largest, abs(Double(i) / n - Double(j) / m))
        }
        return largest
    }

    /// The statistic `D` for two samples in any order.
    public static func statistic(_ a: [Double], _ b: [Double]) -> Double {
        statistic(sortedA: a.sorted(), sortedB: b.sorted())
    }

    /// Kolmogorov's survival function `Q(λ) = P(K > λ)`.
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda <= 0 { return 1 }
        // For small λ the alternating series converges slowly; use the dual (theta) form
        // P(K ≤ λ) = sqrt(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}.
        if lambda < 1.18 {
            let factor = -Double.pi * Double.pi / (8 * lambda * lambda)
            var sum = 0.0
            for k in 1...20 {
                let odd = Double(2 * k - 1)
                let term = Double.exp(factor * odd * odd)
                sum += term
                if term < 1e-17 * sum { break }
            }
            return Swift.min(1, Swift.max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        var sum = 0.0
        var sign = 1.0
        for k in 1...100 {
            let kk = Double(k)
            let term = Double.exp(-2 * kk * kk * lambda * lambda)
            sum += sign * term
            if term < 1e-17 * abs(sum) { break }
            sign = -sign
        }
        return Swift.min(1, Swift.max(0, 2 * sum))
    }

    /// Asymptotic two-sided p-value of `d` for sample sizes `n` and `m`.
    public static func asymptoticPValue(statistic d: Double, n: Int, m: Int) -> Double {
        let effective = Double(n) * Double(m) / Double(n + m)
        return kolmogorovSurvival(d * effective.squareRoot())
    }

    /// Exact two-sided p-value `P(D ≥ d)` for sample sizes `n` and `m` (`n · m ≤ exactLimit`).
    public static func exactPValue(statistic d: Double, n: Int, m: Int) -> Double {
        precondition(
            n > 0 && m > 0 && n * m <= exactLimit, "exact KS p-value needs n·m ≤ \(exactLimit)")
        // Work on the integer grid: D is a multiple of 1/lcm(n, m).
        let g = gcd(n, m)
        let lcm = n / g * m
        let stepA = lcm / n
        let stepB = lcm / m
        let h = Int((d * Double(lcm)).rounded())
        if h <= 0 { return 1 }
        // paths[j]: paths reaching (i, j) while |i·stepA − j·stepB| < h at every point so far.
        var paths = [Double](repeating: 0, count: m + 1)
        for j in 0...m {
            paths[j] = j * stepB < h ? 1 : 0
            if paths[j] == 0 { break }
        }
        if n >= 1 {
            for i in 1...n {
                let inside0 = i * stepA < h
                paths[0] = inside0 ? paths[0] : 0
                if m >= 1 {
                    for j in 1...m {
                        let inside = abs(i * stepA - j * stepB) < h
                        paths[j] = inside ? paths[j] + paths[j - 1] : 0
                    }
                }
            }
        }
        let total = Double.exp(
            Double.logGamma(Double(n + m + 1)) - Double.logGamma(Double(n + 1))
                - Double.logGamma(Double(m + 1)))
        return Swift.min(1, Swift.max(0, 1 - paths[m] / total))
    }

    /// Tests two samples: exact p-value when `n · m ≤ exactLimit` and `exact` is allowed,
    /// asymptotic otherwise.
    public static func test(_ a: [Double], _ b: [Double], allowExact: Bool = true) -> Result {
        test(sortedA: a.sorted(), sortedB: b.sorted(), allowExact: allowExact)
    }

    /// As `test(_:_:allowExact:)`, for samples already sorted ascending.
    public static func test(sortedA a: [Double], sortedB b: [Double], allowExact: Bool = true)
        -> Result
    {
        let d = statistic(sortedA: a, sortedB: b)
        if allowExact && a.count * b.count <= exactLimit {
            return Result(
                statistic: d, pValue: exactPValue(statistic: d, n: a.count, m: b.count),
                isExact: true)
        }
        return Result(
            statistic: d, pValue: asymptoticPValue(statistic: d, n: a.count, m: b.count),
            isExact: false)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
