#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FTRL-Proximal (McMahan et al. 2013) with River's step: for each feature in the gradient,
/// first w_j is recomputed from (z_j, n_j) when |z_j| > l1 (left as is otherwise), then
/// σ = (√(n_j + g²) − √n_j) / α, z_j += g − σ·w_j, n_j += g². Weights of absent features are not
/// touched, so the step is lazy.
public struct FTRLProximal: Optimizer {
    public let alpha: Double
    public let beta: Double
    public let l1: Double
    public let l2: Double
    public private(set) var stepCount = 0
    public private(set) var z: [Double] = []
    public private(set) var n: [Double] = []

    public init(alpha: Double = 0.05, beta: Double = 1, l1: Double = 0, l2: Double = 1) {
        self.alpha = alpha
        self.beta = beta
        self.l1 = l1
        self.l2 = l2
    }

    public var configuration: OptimizerConfiguration { .ftrlProximal(alpha: alpha, beta: beta, l1: l1, l2: l2) }
    /// FTRL has no global learning rate; α is reported (used by the L1 cumulative penalty).
    public var learningRate: Double { alpha }

    public mutating func reserve(featureCount: Int) {
        let missing = featureCount - z.count
        if missing > 0 {
            z.append(contentsOf: repeatElement(0, count: missing))
            n.append(contentsOf: repeatElement(0, count: missing))
        }
    }

    public mutating func step(weights: inout [Double], indices: [Int], gradients: [Double], count: Int) {
        for k in 0..<count {
            let j = indices[k]
            let zj = z[j]
            if abs(zj) > l1 {
                let sign: Double = zj > 0 ? 1 : (zj < 0 ? -1 : 0)
                weights[j] = -(1 / ((beta + n[j].squareRoot()) / alpha + l2)) * (zj - sign * l1)
            }
        }
        for k in 0..<count {
            let j = indices[k], g = gradients[k]
            let sigma = ((n[j] + g * g).squareRoot() - n[j].squareRoot()) / alpha
            z[j] += g - sigma * weights[j]
            n[j] += g * g
        }
        stepCount += 1
    }

    public mutating func reset() {
        stepCount = 0
        for j in z.indices {
            z[j] = 0
            n[j] = 0
        }
    }

    public func stateArrays() -> [(name: String, values: [Double])] { [("z", z), ("n", n)] }

    public mutating func restore(stepCount: Int, arrays: [String: [Double]]) throws(ModelDocumentError) {
        guard let z = arrays["z"], let n = arrays["n"], z.count == n.count else {
            throw ModelDocumentError("ftrl state needs 'z' and 'n' of equal length")
        }
        self.stepCount = stepCount
        self.z = z
        self.n = n
    }
}
