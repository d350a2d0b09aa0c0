/// The shared core of linear and logistic regression: r = w·x + b over sparse feature vectors,
/// one gradient step per event.
///
/// Weights and optimizer state are arrays indexed by feature id (a ``FeatureVocabulary`` is
/// kept alongside by the owner). A step follows River's `GLM._fit`: loss gradient at the
/// current raw output, clamped; feature gradients g·x_j + l2·w_j for present features; the
/// intercept takes b −= intercept_lr·g; then the optimizer steps the weights; then L1.
///
/// The dot product sums in increasing id order (vectors are canonical), so field order never
/// changes a result. An event that would make any weight non-finite is rejected and leaves the
/// weights and intercept unchanged.
public struct LinearModel: Sendable {
    public let configuration: LinearModelConfiguration
    public private(set) var weights: [Double] = []
    public private(set) var intercept: Double
    public private(set) var optimizer: any Optimizer
    /// L1 cumulative penalty: total so far and what each weight received.
    public private(set) var maxCumulativeL1: Double = 0
    public private(set) var cumulativeL1: [Double] = []

    // Scratch.
    private var gradients: [Double] = []
    private var saved: [Double] = []

    public init(configuration: LinearModelConfiguration) {
        self.configuration = configuration
        self.intercept = configuration.interceptInit
        self.optimizer = configuration.optimizer.makeOptimizer()
    }

    /// Number of feature ids covered by the weight array.
    public var featureCount: Int { weights.count }

    /// w·x + b, summing in id order; unseen ids weigh 0.
    @inlinable public func rawPrediction(_ x: FeatureVector) -> Double {
        rawDot(x) + intercept
    }

    @usableFromInline func rawDot(_ x: FeatureVector) -> Double {
        var sum = 0.0
        let n = weights.count
        x.indices.withUnsafeBufferPointer { idx in
            x.values.withUnsafeBufferPointer { val in
                weights.withUnsafeBufferPointer { w in
                    for k in 0..<idx.count {
                        let j = idx[k]
                        if j < n { sum += val[k] * w[j] }
                    }
                }
            }
        }
        return sum
    }

    /// Grows the weight and optimizer arrays to cover ids `0..<count`.
    public mutating func reserve(featureCount count: Int) {
        guard count > weights.count else { return }
        let missing = count - weights.count
        weights.append(contentsOf: repeatElement(0, count: missing))
        if configuration.l1 != 0 { cumulativeL1.append(contentsOf: repeatElement(0, count: missing)) }
        optimizer.reserve(featureCount: count)
    }

    /// One learning step on `x` (canonical: sorted distinct ids) with target `y` (0/1 for binary
    /// losses). Returns the clamped loss gradient.
    @discardableResult
    public mutating func learn(_ x: FeatureVector, target y: Double, sampleWeight: Double = 1) throws(EventRejection) -> Double {
        guard y.isFinite, abs(y) <= ValueLimits.maxMagnitude else {
            throw .invalidTarget(field: "target", detail: "\(y) is not a finite number within ±\(ValueLimits.maxMagnitude)")
        }
        let count = x.count
        if let last = x.indices.last, last >= weights.count { reserve(featureCount: last + 1) }
        // Validation first, over raw storage; the message is built only on the rare failure.
        let bad = x.values.withUnsafeBufferPointer { val in
            val.firstIndex { !($0.isFinite && abs($0) <= ValueLimits.maxMagnitude) }
        }
        if let k = bad { throw .valueOutOfRange(field: "feature #\(x.indices[k])", value: x.values[k]) }
        let raw = rawPrediction(x)
        guard raw.isFinite else { throw .nonFiniteUpdate(detail: "raw prediction is not finite") }
        var lossGradient = configuration.loss.gradient(target: y, raw: raw) * sampleWeight
        lossGradient = min(max(lossGradient, -configuration.clipGradient), configuration.clipGradient)

        if gradients.count < count { gradients.append(contentsOf: repeatElement(0, count: count - gradients.count)) }
        if saved.count < count { saved.append(contentsOf: repeatElement(0, count: count - saved.count)) }
        let l2 = configuration.l2
        // `weights` is only read here, but through its mutable pointer: read beside the other
        // two scratch arrays being written, the array was retained and released per event
        // (the optimizer step below writes it anyway, so a shared array is copied either way).
        x.indices.withUnsafeBufferPointer { idx in
            x.values.withUnsafeBufferPointer { val in
                weights.withUnsafeMutableBufferPointer { w in
                    saved.withUnsafeMutableBufferPointer { sv in
                        gradients.withUnsafeMutableBufferPointer { g in
                            for k in 0..<count {
                                let wj = w[idx[k]]
                                sv[k] = wj
                                g[k] = l2 != 0 ? val[k] * lossGradient + l2 * wj : val[k] * lossGradient
                            }
                        }
                    }
                }
            }
        }

        let savedIntercept = intercept
        intercept -= configuration.interceptLearningRate.rate(at: optimizer.stepCount) * lossGradient
        optimizer.step(weights: &weights, indices: x.indices, gradients: gradients, count: count)
        if configuration.l1 != 0 { applyCumulativeL1(x) }

        var finite = intercept.isFinite
        weights.withUnsafeBufferPointer { w in
            x.indices.withUnsafeBufferPointer { idx in
                for k in 0..<count where !w[idx[k]].isFinite { finite = false }
            }
        }
        if !finite {
            intercept = savedIntercept
            for k in 0..<count { weights[x.indices[k]] = saved[k] }
            throw .nonFiniteUpdate(detail: "a weight or the intercept would become non-finite")
        }
        return lossGradient
    }

    private mutating func applyCumulativeL1(_ x: FeatureVector) {
        maxCumulativeL1 += configuration.l1 * optimizer.learningRate
        for j in x.indices {
            let w = weights[j]
            if w > 0 {
                weights[j] = max(0, w - (maxCumulativeL1 + cumulativeL1[j]))
            } else if w < 0 {
                weights[j] = min(0, w + (maxCumulativeL1 - cumulativeL1[j]))
            }
            cumulativeL1[j] += weights[j] - w
        }
    }

    /// Forgets everything learned (weights, intercept, optimizer state), keeping the size.
    public mutating func reset() {
        for j in weights.indices { weights[j] = 0 }
        for j in cumulativeL1.indices { cumulativeL1[j] = 0 }
        maxCumulativeL1 = 0
        intercept = configuration.interceptInit
        optimizer.reset()
    }

    /// Rebuilds a model from saved parts (see ``ModelDocument``).
    public init(
        configuration: LinearModelConfiguration, weights: [Double], intercept: Double, optimizer: any Optimizer,
        maxCumulativeL1: Double, cumulativeL1: [Double]
    ) {
        self.configuration = configuration
        self.weights = weights
        self.intercept = intercept
        self.optimizer = optimizer
        self.maxCumulativeL1 = maxCumulativeL1
        self.cumulativeL1 = configuration.l1 != 0 ? cumulativeL1 : []
        if configuration.l1 != 0 && self.cumulativeL1.count < weights.count {
            self.cumulativeL1.append(contentsOf: repeatElement(0, count: weights.count - self.cumulativeL1.count))
        }
        self.optimizer.reserve(featureCount: weights.count)
    }
}
