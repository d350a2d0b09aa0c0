#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss a linear model minimises, as River defines it (values and gradients with respect to
/// the raw output r = w·x + b).
///
/// Binary targets are 0/1 and mapped to y' = ±1 where the loss needs it.
public enum LossFunction: String, Sendable, Hashable, CaseIterable {
    /// (r − y)²; gradient 2(r − y).
    case squared
    /// Logistic loss on the logit r; gradient −y'/(exp(y'r) + 1), with River's asymptotic forms
    /// beyond |y'r| > 18.
    case log
    /// max(0, 1 − y'r); gradient −y' when y'r ≤ 1, else 0.
    case hinge

    /// Whether the loss is for binary targets (0/1).
    public var isBinary: Bool { self != .squared }

    /// dL/dr.
    @inlinable public func gradient(target y: Double, raw r: Double) -> Double {
        switch self {
        case .squared:
            return 2 * (r - y)
        case .log:
            let sign: Double = y == 0 ? -1 : 1
            let z = r * sign
            if z > 18 { return exp(-z) * -sign }
            if z < -18 { return -sign }
            return -sign / (exp(z) + 1)
        case .hinge:
            let sign: Double = y == 0 ? -1 : 1
            return sign * r <= 1 ? -sign : 0
        }
    }

    /// The loss value for the raw output.
    public func loss(target y: Double, raw r: Double) -> Double {
        switch self {
        case .squared:
            return (r - y) * (r - y)
        case .log:
            let sign: Double = y == 0 ? -1 : 1
            let z = r * sign
            if z > 18 { return exp(-z) }
            if z < -18 { return -z }
            return log1PlusExp(-z)
        case .hinge:
            let sign: Double = y == 0 ? -1 : 1
            return max(1 - sign * r, 0)
        }
    }

    /// River computes `log(1 + exp(-z))` literally; so do we (not log1p) to match it.
    @usableFromInline func log1PlusExp(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.log(1 + exp(x))
        #else
        Darwin.log(1 + exp(x))
        #endif
    }
}

/// River's saturating sigmoid: exactly 0 below −30 and 1 above 30.
@inlinable public func saturatingSigmoid(_ r: Double) -> Double {
    if r < -30 { return 0 }
    if r > 30 { return 1 }
    return 1 / (1 + exp(-r))
}
