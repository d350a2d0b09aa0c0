// JSON forms of learned state: transformer statistics, weights, optimizer state.
// Per-feature values are objects keyed by feature name (language-neutral); the id order lives
// in the document's `features` list.

extension FieldRole {
    var code: String {
        switch self {
        case .target: "target"
        case .key: "key"
        case .time: "time"
        case .ignored: "ignored"
        case .undecided: "undecided"
        case .feature(.numeric): "numeric"
        case .feature(.categorical): "categorical"
        }
    }

    init(code: String) throws(ModelDocumentError) {
        switch code {
        case "target": self = .target
        case "key": self = .key
        case "time": self = .time
        case "ignored": self = .ignored
        case "undecided": self = .undecided
        case "numeric": self = .feature(.numeric)
        case "categorical": self = .feature(.categorical)
        default: throw ModelDocumentError("unknown field role '\(code)'")
        }
    }
}

extension FeatureTransformer {
    /// Learned state: one entry per field, sorted by name (slot order never affects results,
    /// and sorting keeps the document independent of the order of event fields).
    public var stateJSON: JSONValue {
        let sorted = fields.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return .object([
            "fields": .array(sorted.map { field in
                let s = field.statistics
                return .object([
                    "name": .string(field.name),
                    "role": .string(field.role.code),
                    "count": .integer(s.count),
                    "mean": .number(s.mean),
                    "variance": .number(s.variance),
                    "min": s.minimum.isFinite ? .number(s.minimum) : .null,
                    "max": s.maximum.isFinite ? .number(s.maximum) : .null,
                    "categories": .strings(field.categories),
                ])
            })
        ])
    }

    /// Appends ``stateJSON`` as canonical JSON, the same bytes, without building the tree: the
    /// learner writes a document every `publish.every_events` events, and a tree of every
    /// category (5,000 strings in the quickstart) was an allocation and a retain per string.
    /// Members are written in their canonical (UTF-8) key order.
    func writeStateJSON(into out: inout [UInt8]) {
        let order = fields.indices.sorted { fields[$0].name.utf8.lexicographicallyPrecedes(fields[$1].name.utf8) }
        // Through `CanonicalWriter`: every category is a short piece.
        CanonicalWriter.appending(to: &out) { out in
            func optionalNumber(_ x: Double) {
                if x.isFinite { out.number(x) } else { out.raw("null") }
            }
            out.raw("{\"fields\":[")
            for (k, slot) in order.enumerated() {
                if k > 0 { out.byte(UInt8(ascii: ",")) }
                let s = fields[slot].statistics
                out.raw("{\"categories\":[")
                for (c, category) in fields[slot].categories.enumerated() {
                    if c > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(category)
                }
                out.raw("],\"count\":")
                out.integer(Int64(s.count))
                out.raw(",\"max\":")
                optionalNumber(s.maximum)
                out.raw(",\"mean\":")
                out.number(s.mean)
                out.raw(",\"min\":")
                optionalNumber(s.minimum)
                out.raw(",\"name\":")
                out.string(fields[slot].name)
                out.raw(",\"role\":")
                out.string(fields[slot].role.code)
                out.raw(",\"variance\":")
                out.number(s.variance)
                out.byte(UInt8(ascii: "}"))
            }
            out.raw("]}")
        }
    }

    /// Rebuilds a transformer from ``stateJSON``; feature ids come from `vocabulary`.
    public init(
        configuration: TransformerConfiguration, schema: Schema, state: JSONValue, vocabulary: FeatureVocabulary
    ) throws(ModelDocumentError) {
        self.init(configuration: configuration, schema: schema)
        for entry in try state.requireArray("fields") {
            let name = try entry.requireString("name")
            var field = Field(name: name, role: try FieldRole(code: try entry.requireString("role")))
            field.statistics = RunningStatistics(
                count: try entry.requireInt("count"), mean: try entry.requireDouble("mean"),
                variance: try entry.requireDouble("variance"), minimum: entry["min"]?.doubleValue ?? .infinity,
                maximum: entry["max"]?.doubleValue ?? -.infinity)
            if field.role == .feature(.numeric) { field.featureID = vocabulary.id(of: name) ?? -1 }
            field.indicatorID = vocabulary.id(of: name + ":missing") ?? -1
            for category in try entry.requireStrings("categories") {
                guard let id = vocabulary.id(of: name + "=" + category) else {
                    throw ModelDocumentError("category '\(category)' of '\(name)' is not in the feature list")
                }
                field.categories.append(category)
                field.categoryIDs[category] = id
            }
            restoreField(field)
        }
        if !bucketIDs.isEmpty {
            for (id, feature) in vocabulary.names.enumerated() where feature.hasPrefix("#") {
                if let bucket = Int(feature.dropFirst()), bucket >= 0, bucket < bucketIDs.count {
                    bucketIDs[bucket] = id
                    bucketOrder.append(bucket)
                }
            }
        }
    }
}

extension LinearModel {
    /// Weights, intercept and optimizer state, per-feature values keyed by `names[id]`.
    public func stateJSON(names: [String]) -> JSONValue {
        func keyed(_ values: [Double]) -> JSONValue {
            var o: [String: JSONValue] = [:]
            for j in 0..<names.count { o[names[j]] = .number(j < values.count ? values[j] : 0) }
            return .object(o)
        }
        var optimizerState: [String: JSONValue] = [
            "name": .string(optimizer.configuration.name), "step_count": .integer(optimizer.stepCount),
        ]
        for (name, values) in optimizer.stateArrays() { optimizerState[name] = keyed(values) }
        var state: [String: JSONValue] = [
            "weights": keyed(weights),
            "intercept": .number(intercept),
            "optimizer_state": .object(optimizerState),
        ]
        if configuration.l1 != 0 {
            state["l1_state"] = .object(["max_cumulative": .number(maxCumulativeL1), "cumulative": keyed(cumulativeL1)])
        }
        return .object(state)
    }

    /// Rebuilds a model from ``stateJSON(names:)``; arrays get one entry per name (absent = 0).
    public init(configuration: LinearModelConfiguration, state: JSONValue, names: [String]) throws(ModelDocumentError) {
        func unkeyed(_ value: JSONValue, _ what: String) throws(ModelDocumentError) -> [Double] {
            guard let o = value.objectValue else { throw ModelDocumentError("'\(what)' is not an object") }
            var out = [Double](repeating: 0, count: names.count)
            for (j, name) in names.enumerated() {
                if let v = o[name] {
                    guard let x = v.doubleValue else { throw ModelDocumentError("'\(what)' of '\(name)' is not a number") }
                    out[j] = x
                }
            }
            return out
        }
        let weights = try unkeyed(try state.require("weights"), "weights")
        let optimizerJSON = try state.require("optimizer_state")
        var optimizer = configuration.optimizer.makeOptimizer()
        guard try optimizerJSON.requireString("name") == configuration.optimizer.name else {
            throw ModelDocumentError("optimizer state does not match the configured optimizer")
        }
        var arrays: [String: [Double]] = [:]
        for (name, _) in optimizer.stateArrays() { arrays[name] = try unkeyed(try optimizerJSON.require(name), name) }
        try optimizer.restore(stepCount: try optimizerJSON.requireInt("step_count"), arrays: arrays)
        var maxL1 = 0.0
        var cumulative: [Double] = []
        if configuration.l1 != 0 {
            let l1 = try state.require("l1_state")
            maxL1 = try l1.requireDouble("max_cumulative")
            cumulative = try unkeyed(try l1.require("cumulative"), "cumulative")
        }
        self.init(
            configuration: configuration, weights: weights, intercept: try state.requireDouble("intercept"), optimizer: optimizer,
            maxCumulativeL1: maxL1, cumulativeL1: cumulative)
    }
}
