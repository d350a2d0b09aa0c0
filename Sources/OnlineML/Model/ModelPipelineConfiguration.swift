/// Everything that defines a model before it sees data: task, schema, transformer and learner
/// hyper-parameters. Built from topology values, e.g. `scale: standard`,
/// `optimizer: {name: sgd, lr: 0.1}`, `intercept_lr: 0.01`:
///
/// ```swift
/// let config = ModelPipelineConfiguration(
///     task: .binaryClassification,
///     schema: Schema(target: "y"),
///     transformer: TransformerConfiguration(scaling: .standard),
///     learner: LinearModelConfiguration(loss: .log, optimizer: .sgd(0.1),
///                                       interceptLearningRate: .constant(0.01)))
/// var model = ModelPipeline(configuration: config)
/// ```
public struct ModelPipelineConfiguration: Sendable, Hashable {
    public var task: LearningTask
    public var schema: Schema
    public var transformer: TransformerConfiguration
    public var learner: LinearModelConfiguration
    /// For classification with string targets: the string meaning `true`. Without it, strings
    /// "true"/"1" are positive and "false"/"0" negative.
    public var positiveLabel: String?

    public init(
        task: LearningTask, schema: Schema, transformer: TransformerConfiguration = .init(),
        learner: LinearModelConfiguration? = nil, positiveLabel: String? = nil
    ) {
        self.task = task
        self.schema = schema
        self.transformer = transformer
        self.learner = learner ?? LinearModelConfiguration(loss: task == .regression ? .squared : .log)
        self.positiveLabel = positiveLabel
    }
}
