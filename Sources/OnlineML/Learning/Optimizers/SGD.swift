/// Stochastic gradient descent: w −= η_t · g.
public struct SGD: Optimizer {
    public let schedule: LearningRateSchedule
    public private(set) var stepCount = 0

    public init(learningRate: LearningRateSchedule = .constant(0.01)) {
        schedule = learningRate
    }

    public init(_ learningRate: Double) {
        self.init(learningRate: .constant(learningRate))
    }

    public var configuration: OptimizerConfiguration { .sgd(learningRate: schedule) }
    public var learningRate: Double { schedule.rate(at: stepCount) }

    public mutating func reserve(featureCount: Int) {}

    public mutating func step(weights: inout [Double], indices: [Int], gradients: [Double], count: Int) {
        let eta = learningRate
        weights.withUnsafeMutableBufferPointer { w in
            indices.withUnsafeBufferPointer { idx in
                gradients.withUnsafeBufferPointer { g in
                    for k in 0..<count { w[idx[k]] -= eta * g[k] }
                }
            }
        }
        stepCount += 1
    }

    public mutating func reset() { stepCount = 0 }

    public func stateArrays() -> [(name: String, values: [Double])] { [] }

    public mutating func restore(stepCount: Int, arrays: [String: [Double]]) throws(ModelDocumentError) {
        self.stepCount = stepCount
    }
}
