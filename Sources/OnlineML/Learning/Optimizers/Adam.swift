#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam with River's semantics: the first and second moments m_j, v_j of a feature move only
/// when the feature is in the gradient (no decay while absent), and the bias correction uses
/// the global step count t:
/// η' = η_t · √(1 − β2^(t+1)) / (1 − β1^(t+1)); w_j −= η' · m_j / (√v_j + ε).
///
/// A step costs O(features in the event), however many features were seen before.
public struct Adam: Optimizer {
    public let schedule: LearningRateSchedule
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public private(set) var stepCount = 0
    public private(set) var firstMoments: [Double] = []
    public private(set) var secondMoments: [Double] = []

    public init(
        learningRate: LearningRateSchedule = .constant(0.1), beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8
    ) {
        schedule = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var configuration: OptimizerConfiguration {
        .adam(learningRate: schedule, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
    public var learningRate: Double { schedule.rate(at: stepCount) }

    public mutating func reserve(featureCount: Int) {
        let missing = featureCount - firstMoments.count
        if missing > 0 {
            firstMoments.append(contentsOf: repeatElement(0, count: missing))
            secondMoments.append(contentsOf: repeatElement(0, count: missing))
        }
    }

    public mutating func step(weights: inout [Double], indices: [Int], gradients: [Double], count: Int) {
        let t = Double(stepCount + 1)
        // The step-size factor is written as River writes it (`** 0.5` is pow); per feature,
        // √ (correctly rounded, and much cheaper than pow) stands for River's `** 0.5`.
        var eta = learningRate * pow(1 - pow(beta2, t), 0.5)
        eta /= 1 - pow(beta1, t)
        for k in 0..<count {
            let j = indices[k], g = gradients[k]
            firstMoments[j] = beta1 * firstMoments[j] + (1 - beta1) * g
            secondMoments[j] = beta2 * secondMoments[j] + (1 - beta2) * (g * g)
            weights[j] -= eta * firstMoments[j] / (secondMoments[j].squareRoot() + epsilon)
        }
        stepCount += 1
    }

    public mutating func reset() {
        stepCount = 0
        for j in firstMoments.indices {
            firstMoments[j] = 0
            secondMoments[j] = 0
        }
    }

    public func stateArrays() -> [(name: String, values: [Double])] { [("m", firstMoments), ("v", secondMoments)] }

    public mutating func restore(stepCount: Int, arrays: [String: [Double]]) throws(ModelDocumentError) {
        guard let m = arrays["m"], let v = arrays["v"], m.count == v.count else {
            throw ModelDocumentError("adam state needs 'm' and 'v' of equal length")
        }
        self.stepCount = stepCount
        firstMoments = m
        secondMoments = v
    }
}
