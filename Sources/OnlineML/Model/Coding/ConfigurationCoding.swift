// JSON forms of the configuration values (hyper-parameters) in a model document.
// Each `json` is canonical (no optional keys depend on anything but the value itself) and each
// `init(json:)` reads exactly what `json` writes.

extension LearningRateSchedule {
    public var json: JSONValue {
        switch self {
        case .constant(let eta): .object(["schedule": .string("constant"), "lr": .number(eta)])
        case .inverseScaling(let eta, let power):
            .object(["schedule": .string("inverse_scaling"), "lr": .number(eta), "power": .number(power)])
        }
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        switch try json.requireString("schedule") {
        case "constant": self = .constant(try json.requireDouble("lr"))
        case "inverse_scaling": self = .inverseScaling(try json.requireDouble("lr"), power: try json.requireDouble("power"))
        case let other: throw ModelDocumentError("unknown schedule '\(other)'")
        }
    }
}

extension OptimizerConfiguration {
    public var json: JSONValue {
        switch self {
        case .sgd(let lr):
            .object(["name": .string(name), "lr": lr.json])
        case .adaGrad(let lr, let eps):
            .object(["name": .string(name), "lr": lr.json, "eps": .number(eps)])
        case .adam(let lr, let b1, let b2, let eps):
            .object(["name": .string(name), "lr": lr.json, "beta_1": .number(b1), "beta_2": .number(b2), "eps": .number(eps)])
        case .ftrlProximal(let alpha, let beta, let l1, let l2):
            .object(["name": .string(name), "alpha": .number(alpha), "beta": .number(beta), "l1": .number(l1), "l2": .number(l2)])
        }
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        switch try json.requireString("name") {
        case "sgd": self = .sgd(learningRate: try LearningRateSchedule(json: try json.require("lr")))
        case "adagrad":
            self = .adaGrad(learningRate: try LearningRateSchedule(json: try json.require("lr")), epsilon: try json.requireDouble("eps"))
        case "adam":
            self = .adam(
                learningRate: try LearningRateSchedule(json: try json.require("lr")), beta1: try json.requireDouble("beta_1"),
                beta2: try json.requireDouble("beta_2"), epsilon: try json.requireDouble("eps"))
        case "ftrl":
            self = .ftrlProximal(
                alpha: try json.requireDouble("alpha"), beta: try json.requireDouble("beta"), l1: try json.requireDouble("l1"),
                l2: try json.requireDouble("l2"))
        case let other: throw ModelDocumentError("unknown optimizer '\(other)'")
        }
    }
}

extension LinearModelConfiguration {
    public var json: JSONValue {
        .object([
            "loss": .string(loss.rawValue),
            "optimizer": optimizer.json,
            "l1": .number(l1),
            "l2": .number(l2),
            "intercept_init": .number(interceptInit),
            "intercept_lr": interceptLearningRate.json,
            "clip_gradient": .number(clipGradient),
        ])
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        guard let loss = LossFunction(rawValue: try json.requireString("loss")) else {
            throw ModelDocumentError("unknown loss")
        }
        self.init(
            loss: loss, optimizer: try OptimizerConfiguration(json: try json.require("optimizer")), l2: try json.requireDouble("l2"),
            l1: try json.requireDouble("l1"), interceptInit: try json.requireDouble("intercept_init"),
            interceptLearningRate: try LearningRateSchedule(json: try json.require("intercept_lr")),
            clipGradient: try json.requireDouble("clip_gradient"))
    }
}

extension TransformerConfiguration {
    public var json: JSONValue {
        let categoricalJSON: JSONValue
        switch categorical {
        case .oneHot: categoricalJSON = .object(["encoding": .string("one_hot")])
        case .hashing(let bits): categoricalJSON = .object(["encoding": .string("hashing"), "bits": .integer(bits)])
        }
        let missingJSON: JSONValue
        switch missing {
        case .skip: missingJSON = .object(["strategy": .string("skip")])
        case .mean: missingJSON = .object(["strategy": .string("mean")])
        case .constant(let c): missingJSON = .object(["strategy": .string("constant"), "value": .number(c)])
        }
        return .object([
            "scale": .string(scaling.rawValue),
            "categorical": categoricalJSON,
            "missing": missingJSON,
            "missing_indicator": .bool(missingIndicator),
            "input_clip": inputClip.map { .numbers([$0.lowerBound, $0.upperBound]) } ?? .null,
            "output_clip": outputClip.map { .number($0) } ?? .null,
        ])
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        guard let scaling = Scaling(rawValue: try json.requireString("scale")) else { throw ModelDocumentError("unknown scale") }
        let cat = try json.require("categorical")
        let categorical: CategoricalEncoding
        switch try cat.requireString("encoding") {
        case "one_hot": categorical = .oneHot
        case "hashing": categorical = .hashing(bits: try cat.requireInt("bits"))
        case let other: throw ModelDocumentError("unknown categorical encoding '\(other)'")
        }
        let miss = try json.require("missing")
        let missing: MissingValues
        switch try miss.requireString("strategy") {
        case "skip": missing = .skip
        case "mean": missing = .mean
        case "constant": missing = .constant(try miss.requireDouble("value"))
        case let other: throw ModelDocumentError("unknown missing strategy '\(other)'")
        }
        var inputClip: ClosedRange<Double>? = nil
        if let clip = json["input_clip"], clip != .null {
            guard let a = clip.arrayValue, a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue, lo <= hi else {
                throw ModelDocumentError("input_clip must be [low, high]")
            }
            inputClip = lo...hi
        }
        self.init(
            scaling: scaling, categorical: categorical, missing: missing,
            missingIndicator: json["missing_indicator"]?.boolValue ?? false, inputClip: inputClip,
            outputClip: json["output_clip"]?.doubleValue)
    }
}

extension Schema {
    public var json: JSONValue {
        let numericJSON: JSONValue
        switch numeric {
        case .auto: numericJSON = .string("auto")
        case .fields(let names): numericJSON = .strings(names)
        }
        return .object([
            "target": target.map { .string($0) } ?? .null,
            "key": key.map { .string($0) } ?? .null,
            "time": time.map { .string($0) } ?? .null,
            "numeric": numericJSON,
            "categorical": .strings(categorical),
            "ignored": .strings(ignored),
        ])
    }

    public init(json: JSONValue) throws(ModelDocumentError) {
        let numeric: NumericFields
        switch json["numeric"] {
        case .string("auto")?: numeric = .auto
        case .array?: numeric = .fields(try json.requireStrings("numeric"))
        default: throw ModelDocumentError("schema 'numeric' must be \"auto\" or a list")
        }
        self.init(
            target: json["target"]?.stringValue, key: json["key"]?.stringValue, time: json["time"]?.stringValue,
            numeric: numeric, categorical: try json.requireStrings("categorical"), ignored: try json.requireStrings("ignored"))
    }
}
