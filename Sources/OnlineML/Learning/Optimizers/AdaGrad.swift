/// AdaGrad: G_j += g_j²; w_j −= η_t / √(G_j + ε) · g_j, for present features only.
public struct AdaGrad: Optimizer {
    public let schedule: LearningRateSchedule
    public let epsilon: Double
    public private(set) var stepCount = 0
    /// Sum of squared gradients per feature id.
    public private(set) var squaredGradientSums: [Double] = []

    public init(learningRate: LearningRateSchedule = .constant(0.1), epsilon: Double = 1e-8) {
        schedule = learningRate
        self.epsilon = epsilon
    }

    public var configuration: OptimizerConfiguration { .adaGrad(learningRate: schedule, epsilon: epsilon) }
    public var learningRate: Double { schedule.rate(at: stepCount) }

    public mutating func reserve(featureCount: Int) {
        if squaredGradientSums.count < featureCount {
            squaredGradientSums.append(contentsOf: repeatElement(0, count: featureCount - squaredGradientSums.count))
        }
    }

    public mutating func step(weights: inout [Double], indices: [Int], gradients: [Double], count: Int) {
        let eta = learningRate
        for k in 0..<count {
            let j = indices[k], g = gradients[k]
            squaredGradientSums[j] += g * g
            weights[j] -= eta / (squaredGradientSums[j] + epsilon).squareRoot() * g
        }
        stepCount += 1
    }

    public mutating func reset() {
        stepCount = 0
        for j in squaredGradientSums.indices { squaredGradientSums[j] = 0 }
    }

    public func stateArrays() -> [(name: String, values: [Double])] { [("g2", squaredGradientSums)] }

    public mutating func restore(stepCount: Int, arrays: [String: [Double]]) throws(ModelDocumentError) {
        guard let g2 = arrays["g2"] else { throw ModelDocumentError("adagrad state lacks 'g2'") }
        self.stepCount = stepCount
        squaredGradientSums = g2
    }
}
