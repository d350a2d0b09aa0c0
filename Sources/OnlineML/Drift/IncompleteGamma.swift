import RealModule

/// The regularized incomplete gamma functions `P(a, x) = γ(a, x)/Γ(a)` and
/// `Q(a, x) = 1 − P(a, x)`, for chi-square p-values (`Q(dof/2, χ²/2)`).
///
/// Evaluated by the power series `P = e^{−x} x^a / Γ(a+1) · Σ x^k / ((a+1)…(a+k))` when
/// `x < a + 1`, and otherwise by the continued fraction for `Q` (modified Lentz), each to about
/// 1e−15 relative accuracy; the other function is the complement.
public enum IncompleteGamma {
    /// Lower regularized incomplete gamma `P(a, x)`, `a > 0`, `x ≥ 0`.
    public static func lowerRegularized(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0 && x >= 0, "incomplete gamma needs a > 0 and x ≥ 0")
        if x == 0 { return 0 }
        if x.isInfinite { return 1 }
        return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x)
    }

    /// Upper regularized incomplete gamma `Q(a, x)`, `a > 0`, `x ≥ 0`.
    public static func upperRegularized(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0 && x >= 0, "incomplete gamma needs a > 0 and x ≥ 0")
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x)
    }

    /// `e^{−x} x^a / Γ(a)` in log space: the common prefactor.
    private static func logPrefactor(_ a: Double, _ x: Double) -> Double {
        a * Double.log(x) - x - Double.logGamma(a)
    }

    private static func series(_ a: Double, _ x: Double) -> Double {
        var denominator = a
        var term = 1 / a
        var sum = term
        for _ in 0..<10_000 {
            denominator += 1
            term *= x / denominator
            sum += term
            if abs(term) < abs(sum) * 1e-16 { break }
        }
        return Swift.min(1, sum * Double.exp(logPrefactor(a, x)))
    }

    private static func continuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return Swift.min(1, Swift.max(0, Double.exp(logPrefactor(a, x)) * h))
    }
}
