import OnlineML

extension Topology {
    /// The ML core's schema for this topology.
    public var onlineSchema: Schema {
        let numeric: Schema.NumericFields
        switch schema.numeric {
        case .auto: numeric = .auto
        case .fields(let names): numeric = .fields(names)
        }
        return Schema(target: schema.target, key: schema.key, time: schema.time, numeric: numeric,
                      categorical: schema.categorical)
    }

    /// The model a learn stage trains, or `nil` for a topology without `stages.learn`.
    /// Without `stages.transform` the learner sees raw values (``TransformSettings/passthrough``).
    public func modelPipelineConfiguration() -> ModelPipelineConfiguration? {
        guard let learn = stages.learn else { return nil }
        let task: LearningTask = learn.model.isClassifier ? .binaryClassification : .regression
        return ModelPipelineConfiguration(
            task: task,
            schema: onlineSchema,
            transformer: (stages.transform ?? .passthrough).transformerConfiguration,
            learner: learn.linearModelConfiguration
        )
    }
}

extension TransformSettings {
    /// The ML core's transformer settings.
    public var transformerConfiguration: TransformerConfiguration {
        let scaling: TransformerConfiguration.Scaling
        switch scale {
        case .standard: scaling = .standard
        case .minmax: scaling = .minMax
        case .none: scaling = .none
        }
        let encoding: TransformerConfiguration.CategoricalEncoding
        switch categorical {
        case .oneHot: encoding = .oneHot
        case .hash: encoding = .hashing(bits: hashBits)
        }
        let missingValues: TransformerConfiguration.MissingValues
        var indicator = false
        switch missing {
        case .none: missingValues = .skip
        case .mean: missingValues = .mean
        case .constant(let value): missingValues = .constant(value)
        case .indicator:
            missingValues = .constant(0)
            indicator = true
        }
        return TransformerConfiguration(scaling: scaling, categorical: encoding, missing: missingValues,
                                        missingIndicator: indicator, outputClip: clip)
    }
}

extension LearnSettings {
    /// The ML core's linear-model settings.
    public var linearModelConfiguration: LinearModelConfiguration {
        let lossFunction: LossFunction
        switch loss {
        case .log: lossFunction = .log
        case .hinge: lossFunction = .hinge
        case .squared: lossFunction = .squared
        }
        func rate(_ base: Double) -> LearningRateSchedule {
            switch optimizer.schedule {
            case .constant: return .constant(base)
            case .inverseScaling(let power): return .inverseScaling(base, power: power)
            }
        }
        let optimizerConfiguration: OptimizerConfiguration
        switch optimizer.kind {
        case .sgd(let lr):
            optimizerConfiguration = .sgd(learningRate: rate(lr))
        case .adagrad(let lr, let eps):
            optimizerConfiguration = .adaGrad(learningRate: rate(lr), epsilon: eps)
        case .adam(let lr, let beta1, let beta2, let eps):
            optimizerConfiguration = .adam(learningRate: rate(lr), beta1: beta1, beta2: beta2, epsilon: eps)
        case .ftrl(let alpha, let beta, let l1, let l2):
            optimizerConfiguration = .ftrlProximal(alpha: alpha, beta: beta, l1: l1, l2: l2)
        }
        return LinearModelConfiguration(
            loss: lossFunction, optimizer: optimizerConfiguration, l2: l2, l1: l1,
            interceptLearningRate: .constant(interceptLR), clipGradient: clipGradient
        )
    }
}
