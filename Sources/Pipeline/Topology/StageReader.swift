import Yams

/// Reads `stages:` — transform, learn and detect — with the defaults documented on each settings
/// type. Keys allowed in a mapping can depend on a sibling (an optimizer's or detector's name),
/// so those are read first.
struct StageReader {
    let reader: TopologyReader

    func read(_ node: Node) -> TopologyStages? {
        guard let fields = reader.fields(node, "stages", allowed: ["transform", "learn", "detect"]) else {
            return nil
        }
        if fields.entries.isEmpty {
            reader.fail(at: node.mark, "stages", "expected at least one of transform, learn, detect")
        }
        var stages = TopologyStages()
        stages.transform = fields["transform"].flatMap { readTransform($0, "stages.transform") }
        stages.learn = fields["learn"].flatMap { readLearn($0, "stages.learn") }
        stages.detect = fields["detect"].flatMap { readDetect($0, "stages.detect") }
        return stages
    }

    // MARK: Transform

    private func readTransform(_ node: Node, _ path: String) -> TransformSettings? {
        guard let fields = reader.fields(node, path,
                                         allowed: ["scale", "categorical", "hash_bits", "missing", "clip"]) else {
            return nil
        }
        var settings = TransformSettings()
        if let value = fields["scale"].flatMap({
            reader.choice($0, fields.path("scale"), TransformSettings.Scaling.allCases.map(\.rawValue))
        }) {
            settings.scale = TransformSettings.Scaling(rawValue: value)!
        }
        if let value = fields["categorical"].flatMap({
            reader.choice($0, fields.path("categorical"),
                          TransformSettings.CategoricalEncoding.allCases.map(\.rawValue))
        }) {
            settings.categorical = TransformSettings.CategoricalEncoding(rawValue: value)!
        }
        if let bits = fields["hash_bits"].flatMap({
            reader.integer($0, fields.path("hash_bits"), minimum: 1, maximum: 30)
        }) {
            settings.hashBits = bits
        }
        if let node = fields["missing"], let missing = readMissing(node, fields.path("missing")) {
            settings.missing = missing
        }
        settings.clip = fields["clip"].flatMap { reader.number($0, fields.path("clip"), .positive) }
        return settings
    }

    private func readMissing(_ node: Node, _ path: String) -> TransformSettings.MissingValues? {
        if case .mapping = node {
            guard let fields = reader.fields(node, path, allowed: ["constant"]),
                  let value = fields["constant"] else {
                reader.fail(node, path, expected: "{constant: NUMBER}")
                return nil
            }
            return reader.number(value, "\(path).constant", .any).map { .constant($0) }
        }
        switch reader.choice(node, path, TransformSettings.MissingValues.names) {
        case "none": return TransformSettings.MissingValues.none
        case "mean": return .mean
        case "constant": return .constant(0)
        case "indicator": return .indicator
        default: return nil
        }
    }

    // MARK: Learn

    private static let learnKeys = ["model", "loss", "optimizer", "intercept_lr", "l1", "l2", "clip_gradient",
                                    "publish", "on_drift"]

    private func readLearn(_ node: Node, _ path: String) -> LearnSettings? {
        guard let fields = reader.fields(node, path, allowed: Self.learnKeys) else { return nil }
        guard let modelNode = fields["model"] else {
            reader.missing(fields, "model", expected: "logistic_regression or linear_regression")
            return nil
        }
        guard let modelName = reader.choice(modelNode, fields.path("model"),
                                            LearnSettings.ModelKind.allCases.map(\.rawValue)) else { return nil }
        let model = LearnSettings.ModelKind(rawValue: modelName)!
        var settings = LearnSettings(model: model)

        if let node = fields["loss"] {
            let allowed = model.allowedLosses.map(\.rawValue)
            if let text = node.string, !allowed.contains(text), LearnSettings.Loss(rawValue: text) != nil {
                reader.fail(at: node.mark, fields.path("loss"),
                            "expected one of \(allowed.joined(separator: ", ")) for \(modelName), got \"\(text)\"")
            } else if let name = reader.choice(node, fields.path("loss"), allowed) {
                settings.loss = LearnSettings.Loss(rawValue: name)!
            }
        }
        if let node = fields["optimizer"], let optimizer = readOptimizer(node, fields.path("optimizer")) {
            settings.optimizer = optimizer
        }
        if let value = fields["intercept_lr"].flatMap({
            reader.number($0, fields.path("intercept_lr"), .nonNegative)
        }) {
            settings.interceptLR = value
        }
        if let value = fields["l1"].flatMap({ reader.number($0, fields.path("l1"), .nonNegative) }) {
            settings.l1 = value
        }
        if let value = fields["l2"].flatMap({ reader.number($0, fields.path("l2"), .nonNegative) }) {
            settings.l2 = value
        }
        if let value = fields["clip_gradient"].flatMap({
            reader.number($0, fields.path("clip_gradient"), .positive)
        }) {
            settings.clipGradient = value
        }
        if let node = fields["publish"], let publish = readPublish(node, fields.path("publish")) {
            settings.publish = publish
        }
        if let node = fields["on_drift"], let response = readDriftResponse(node, fields.path("on_drift")) {
            settings.onDrift = response
        }
        return settings
    }

    private static let optimizerKeys: [String: [String]] = [
        "sgd": ["name", "lr", "schedule"],
        "adagrad": ["name", "lr", "eps", "schedule"],
        "adam": ["name", "lr", "beta1", "beta2", "eps", "schedule"],
        "ftrl": ["name", "alpha", "beta", "l1", "l2"],
    ]

    private func readOptimizer(_ node: Node, _ path: String) -> OptimizerSettings? {
        let names = OptimizerSettings.Kind.names
        let name: String
        var fields: TopologyReader.Fields?
        if case .scalar = node {
            guard let value = reader.choice(node, path, names) else { return nil }
            name = value
        } else {
            guard case .mapping(let mapping) = node else {
                reader.fail(node, path, expected: "an optimizer name or {name, lr, ...}")
                return nil
            }
            guard let nameNode = mapping["name"] else {
                reader.fail(at: node.mark, path, "missing required field \"name\" (one of \(names.joined(separator: ", ")))")
                return nil
            }
            guard let value = reader.choice(nameNode, "\(path).name", names) else { return nil }
            name = value
            fields = reader.fields(node, path, allowed: Self.optimizerKeys[name]!, aliases: ["lr": "alpha"])
        }
        func value(_ key: String, _ rule: TopologyReader.NumberRule, _ fallback: Double) -> Double {
            fields?[key].flatMap { reader.number($0, "\(path).\(key)", rule) } ?? fallback
        }
        var settings = OptimizerSettings()
        switch name {
        case "sgd":
            settings.kind = .sgd(lr: value("lr", .positive, 0.01))
        case "adagrad":
            settings.kind = .adagrad(lr: value("lr", .positive, 0.1), eps: value("eps", .positive, 1e-8))
        case "adam":
            settings.kind = .adam(lr: value("lr", .positive, 0.1), beta1: value("beta1", .openUnit, 0.9),
                                  beta2: value("beta2", .openUnit, 0.999), eps: value("eps", .positive, 1e-8))
        default:
            settings.kind = .ftrl(alpha: value("alpha", .positive, 0.05), beta: value("beta", .nonNegative, 1),
                                  l1: value("l1", .nonNegative, 0), l2: value("l2", .nonNegative, 1))
        }
        if let scheduleNode = fields?["schedule"], let schedule = readSchedule(scheduleNode, "\(path).schedule") {
            settings.schedule = schedule
        }
        return settings
    }

    private func readSchedule(_ node: Node, _ path: String) -> OptimizerSettings.LearningRateSchedule? {
        let names = OptimizerSettings.LearningRateSchedule.names
        var name: String?
        var fields: TopologyReader.Fields?
        if case .scalar = node {
            name = reader.choice(node, path, names)
        } else {
            guard let read = reader.fields(node, path, allowed: ["name", "power"],
                                           what: "a schedule name or {name, power}") else { return nil }
            fields = read
            guard let nameNode = read["name"] else {
                reader.missing(read, "name", expected: names.joined(separator: " or "))
                return nil
            }
            name = reader.choice(nameNode, "\(path).name", names)
        }
        switch name {
        case "constant":
            if fields?["power"] != nil {
                reader.fail(atPath: "\(path).power", "only applies to the inverse_scaling schedule")
            }
            return .constant
        case "inverse_scaling":
            let power = fields?["power"].flatMap { reader.number($0, "\(path).power", .positive) } ?? 0.5
            return .inverseScaling(power: power)
        default:
            return nil
        }
    }

    private func readPublish(_ node: Node, _ path: String) -> PublishSettings? {
        guard let fields = reader.fields(node, path, allowed: ["every_events", "every_seconds"]) else { return nil }
        var settings = PublishSettings()
        if let value = fields["every_events"].flatMap({
            reader.integer($0, fields.path("every_events"), minimum: 1)
        }) {
            settings.everyEvents = value
        }
        if let value = fields["every_seconds"].flatMap({
            reader.number($0, fields.path("every_seconds"), .positive)
        }) {
            settings.everySeconds = value
        }
        return settings
    }

    private func readDriftResponse(_ node: Node, _ path: String) -> DriftResponse? {
        if case .scalar = node {
            switch reader.choice(node, path, DriftResponse.actions) {
            case "none": return DriftResponse.none
            case "reset": return .reset(scope: .model)
            case "challenger": return .challenger(trial: DriftResponse.defaultTrial)
            default: return nil
            }
        }
        guard let fields = reader.fields(node, path, allowed: ["action", "scope", "trial"],
                                         what: "none, reset, challenger or {action: reset, scope: model|pipeline}")
        else { return nil }
        guard let actionNode = fields["action"] else {
            reader.missing(fields, "action", expected: DriftResponse.actions.joined(separator: ", "))
            return nil
        }
        guard let action = reader.choice(actionNode, fields.path("action"), DriftResponse.actions) else { return nil }
        var scope = DriftResponse.ResetScope.model
        if let scopeNode = fields["scope"] {
            guard action == "reset" else {
                reader.fail(at: scopeNode.mark, fields.path("scope"), "only applies to action: reset")
                return nil
            }
            guard let name = reader.choice(scopeNode, fields.path("scope"),
                                           DriftResponse.ResetScope.allCases.map(\.rawValue)) else { return nil }
            scope = DriftResponse.ResetScope(rawValue: name)!
        }
        var trial = DriftResponse.defaultTrial
        if let trialNode = fields["trial"] {
            guard action == "challenger" else {
                reader.fail(at: trialNode.mark, fields.path("trial"), "only applies to action: challenger")
                return nil
            }
            guard let value = reader.integer(trialNode, fields.path("trial"), minimum: 1) else { return nil }
            trial = value
        }
        switch action {
        case "none": return DriftResponse.none
        case "reset": return .reset(scope: scope)
        default: return .challenger(trial: trial)
        }
    }

    // MARK: Detect

    private func readDetect(_ node: Node, _ path: String) -> DetectSettings? {
        guard let fields = reader.fields(node, path, allowed: ["concept", "data", "checkpoint"]) else { return nil }
        var settings = DetectSettings()
        settings.concept = fields["concept"].flatMap { readConcept($0, fields.path("concept")) }
        settings.data = fields["data"].flatMap { readData($0, fields.path("data")) }
        if let node = fields["checkpoint"], let checkpoint = readCheckpoint(node, fields.path("checkpoint")) {
            settings.checkpoint = checkpoint
        }
        if fields["concept"] == nil, fields["data"] == nil {
            reader.fail(at: node.mark, path, "expected at least one of concept, data")
        }
        return settings
    }

    private func readCheckpoint(_ node: Node, _ path: String) -> CheckpointSettings? {
        guard let fields = reader.fields(node, path, allowed: ["every_events"]) else { return nil }
        var settings = CheckpointSettings()
        if let value = fields["every_events"].flatMap({
            reader.integer($0, fields.path("every_events"), minimum: 1)
        }) {
            settings.everyEvents = value
        }
        return settings
    }

    private static let detectorKeys: [String: [String]] = [
        "adwin": ["delta", "clock", "max_buckets", "min_window_length", "grace_period"],
        "page_hinkley": ["min_instances", "delta", "threshold", "alpha", "mode"],
        "kswin": ["alpha", "window_size", "stat_size", "seed"],
        "ddm": ["warm_start", "warning_threshold", "drift_threshold"],
        "eddm": ["warm_start", "alpha", "beta"],
        "hddm_a": ["drift_confidence", "warning_confidence", "two_sided_test"],
        "hddm_w": ["drift_confidence", "warning_confidence", "lambda", "two_sided_test"],
    ]

    private func readConcept(_ node: Node, _ path: String) -> ConceptDriftSettings? {
        guard case .mapping(let mapping) = node else {
            reader.fail(node, path, expected: "{detector: NAME, input: error|loss|{field: NAME}, ...}")
            return nil
        }
        let names = DetectorSettings.names
        guard let detectorNode = mapping["detector"] else {
            reader.fail(at: node.mark, path, "missing required field \"detector\" (one of \(names.joined(separator: ", ")))")
            return nil
        }
        guard let name = reader.choice(detectorNode, "\(path).detector", names) else { return nil }
        guard let fields = reader.fields(node, path, allowed: ["detector", "input"] + Self.detectorKeys[name]!) else {
            return nil
        }
        func real(_ key: String, _ rule: TopologyReader.NumberRule, _ fallback: Double) -> Double {
            fields[key].flatMap { reader.number($0, fields.path(key), rule) } ?? fallback
        }
        func int(_ key: String, minimum: Int, _ fallback: Int) -> Int {
            fields[key].flatMap { reader.integer($0, fields.path(key), minimum: minimum) } ?? fallback
        }
        func flag(_ key: String, _ fallback: Bool) -> Bool {
            fields[key].flatMap { reader.bool($0, fields.path(key)) } ?? fallback
        }
        let detector: DetectorSettings
        switch name {
        case "adwin":
            detector = .adwin(delta: real("delta", .openUnit, 0.002), clock: int("clock", minimum: 1, 32),
                              maxBuckets: int("max_buckets", minimum: 2, 5),
                              minWindowLength: int("min_window_length", minimum: 1, 5),
                              gracePeriod: int("grace_period", minimum: 0, 10))
        case "page_hinkley":
            var mode = DetectorSettings.PageHinkleyMode.both
            if let modeNode = fields["mode"], let value = reader.choice(
                modeNode, fields.path("mode"), DetectorSettings.PageHinkleyMode.allCases.map(\.rawValue)) {
                mode = DetectorSettings.PageHinkleyMode(rawValue: value)!
            }
            detector = .pageHinkley(minInstances: int("min_instances", minimum: 1, 30),
                                    delta: real("delta", .nonNegative, 0.005),
                                    threshold: real("threshold", .positive, 50),
                                    alpha: real("alpha", .unitInterval, 0.9999), mode: mode)
        case "kswin":
            let window = int("window_size", minimum: 2, 100)
            let stat = int("stat_size", minimum: 1, 30)
            if 2 * stat > window {
                reader.fail(atPath: fields.path("stat_size"), "must be at most half of window_size (\(window))")
            }
            detector = .kswin(alpha: real("alpha", .openUnit, 0.005), windowSize: window, statSize: stat,
                              seed: int("seed", minimum: 0, 42))
        case "ddm":
            let warning = real("warning_threshold", .positive, 2)
            let drift = real("drift_threshold", .positive, 3)
            if drift <= warning {
                reader.fail(atPath: fields.path("drift_threshold"),
                            "must be greater than warning_threshold (\(warning))")
            }
            detector = .ddm(warmStart: int("warm_start", minimum: 1, 30), warningThreshold: warning,
                            driftThreshold: drift)
        case "eddm":
            let alpha = real("alpha", .openUnit, 0.95)
            let beta = real("beta", .openUnit, 0.9)
            if beta >= alpha {
                reader.fail(atPath: fields.path("beta"), "must be smaller than alpha (\(alpha))")
            }
            detector = .eddm(warmStart: int("warm_start", minimum: 1, 30), alpha: alpha, beta: beta)
        case "hddm_a":
            detector = .hddmA(driftConfidence: real("drift_confidence", .openUnit, 0.001),
                              warningConfidence: real("warning_confidence", .openUnit, 0.005),
                              twoSidedTest: flag("two_sided_test", false))
        default:
            detector = .hddmW(driftConfidence: real("drift_confidence", .openUnit, 0.001),
                              warningConfidence: real("warning_confidence", .openUnit, 0.005),
                              lambda: real("lambda", .unitInterval, 0.05),
                              twoSidedTest: flag("two_sided_test", false))
        }
        var settings = ConceptDriftSettings(detector: detector)
        if let inputNode = fields["input"], let input = readInput(inputNode, fields.path("input")) {
            settings.input = input
        }
        return settings
    }

    private func readInput(_ node: Node, _ path: String) -> ConceptDriftSettings.Input? {
        if case .scalar = node {
            switch reader.choice(node, path, ["error", "loss"]) {
            case "error": return .error
            case "loss": return .loss
            default: return nil
            }
        }
        guard let fields = reader.fields(node, path, allowed: ["field"],
                                         what: "error, loss or {field: NAME}") else { return nil }
        guard let fieldNode = fields["field"] else {
            reader.missing(fields, "field", expected: "the numeric event field to watch")
            return nil
        }
        return reader.string(fieldNode, fields.path("field")).map { .field($0) }
    }

    private func readData(_ node: Node, _ path: String) -> DataDriftSettings? {
        guard let fields = reader.fields(node, path, allowed: ["test", "reference", "window", "alpha", "threshold",
                                                               "bins", "features"]) else { return nil }
        guard let testNode = fields["test"] else {
            reader.missing(fields, "test", expected: "ks, psi or chi2")
            return nil
        }
        guard let name = reader.choice(testNode, fields.path("test"),
                                       DataDriftSettings.Test.allCases.map(\.rawValue)) else { return nil }
        let test = DataDriftSettings.Test(rawValue: name)!
        var settings = DataDriftSettings(test: test)
        if let value = fields["reference"].flatMap({ reader.integer($0, fields.path("reference"), minimum: 2) }) {
            settings.reference = value
        }
        if let value = fields["window"].flatMap({ reader.integer($0, fields.path("window"), minimum: 2) }) {
            settings.window = value
        }
        if let alpha = fields["alpha"] {
            if test == .psi {
                reader.fail(at: alpha.mark, fields.path("alpha"), "psi uses threshold, not alpha")
            } else if let value = reader.number(alpha, fields.path("alpha"), .openUnit) {
                settings.alpha = value
            }
        }
        if let threshold = fields["threshold"] {
            if test != .psi {
                reader.fail(at: threshold.mark, fields.path("threshold"), "\(name) uses alpha, not threshold")
            } else if let value = reader.number(threshold, fields.path("threshold"), .positive) {
                settings.threshold = value
            }
        }
        if let bins = fields["bins"] {
            if test != .psi {
                reader.fail(at: bins.mark, fields.path("bins"), "only applies to test: psi")
            } else if let value = reader.integer(bins, fields.path("bins"), minimum: 2, maximum: 1000) {
                settings.bins = value
            }
        }
        settings.features = fields["features"].flatMap { reader.stringList($0, fields.path("features")) }
        return settings
    }
}
