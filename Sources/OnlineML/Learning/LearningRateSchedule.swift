#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning rate as a function of the optimizer's step count t (0 for the first step),
/// like River's `optim.schedulers`.
public enum LearningRateSchedule: Sendable, Hashable {
    /// η.
    case constant(Double)
    /// η / (t + 1)^power (River's `InverseScaling`; power 0.5 by default there).
    case inverseScaling(Double, power: Double)

    @inlinable public func rate(at step: Int) -> Double {
        switch self {
        case .constant(let eta): return eta
        case .inverseScaling(let eta, let power): return eta / pow(Double(step + 1), power)
        }
    }

    /// The base rate η.
    public var base: Double {
        switch self {
        case .constant(let eta), .inverseScaling(let eta, _): return eta
        }
    }
}
