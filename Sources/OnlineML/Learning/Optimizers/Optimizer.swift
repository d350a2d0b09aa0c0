/// Updates weights from a sparse gradient, keeping per-feature state in arrays indexed by
/// feature id.
///
/// A step touches only the features present in the gradient (lazy state), so its cost does not
/// grow with the number of features ever seen. `stepCount` counts steps (River's
/// `n_iterations`); learning-rate schedules and bias corrections read it.
public protocol Optimizer: Sendable {
    /// The configuration this optimizer was built from (name, hyper-parameters).
    var configuration: OptimizerConfiguration { get }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// The learning rate of the next step (River's `learning_rate`).
    var learningRate: Double { get }

    /// Makes per-feature state cover ids `0..<featureCount`.
    mutating func reserve(featureCount: Int)

    /// One step: `weights[indices[k]]` moves against `gradients[k]`, for k in `0..<count`.
    /// Indices are distinct and within the reserved range.
    mutating func step(weights: inout [Double], indices: [Int], gradients: [Double], count: Int)

    /// Back to the initial state (keeping the reserved size).
    mutating func reset()

    /// Per-feature state arrays by name (e.g. `"m"`, `"v"`), each indexed by feature id, and
    /// scalar state (besides `stepCount`), for the model document.
    func stateArrays() -> [(name: String, values: [Double])]

    /// Restores state written by ``stateArrays()``; arrays are indexed by feature id.
    mutating func restore(stepCount: Int, arrays: [String: [Double]]) throws(ModelDocumentError)
}

extension Optimizer {
    /// Builds an optimizer from its configuration.
    public static func make(_ configuration: OptimizerConfiguration) -> any Optimizer {
        configuration.makeOptimizer()
    }
}
