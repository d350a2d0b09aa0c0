import OnlineML

/// A drift detection during an evaluation, placed in the input: the detector's evidence plus
/// the record that completed it and what the learner did about it.
public struct EvaluationDetection: Sendable, Equatable {
    /// 0-based index of the completing record among all input records.
    public var index: Int
    /// 1-based line of that record in its file, if known.
    public var line: Int?
    /// The record's event time (`schema.time` field), if the schema names one and it is set.
    public var time: FieldValue?
    /// The detector's evidence (its `position` counts the values that detector accepted).
    public var evidence: DriftDetection
    /// `"none"`, `"reset_model"`, `"reset_pipeline"` or `"challenger_started"`.
    public var action: String

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "index": .integer(index),
            "line": line.map { .integer($0) } ?? .null,
            "detector": .string(evidence.detector),
            "kind": .string(evidence.kind.rawValue),
            "parameters": .object(Dictionary(uniqueKeysWithValues: evidence.parameters.map { ($0.name, $0.value.json) })),
            "statistic": .number(evidence.statistic),
            "threshold": .number(evidence.threshold),
            "window_sizes": .array(evidence.windowSizes.map { .integer($0) }),
            "position": .integer(evidence.position),
            "action": .string(action),
        ]
        switch time {
        case .number(let x)?: object["time"] = .number(x)
        case .string(let text)?: object["time"] = .string(text)
        case .bool, .null, nil: break
        }
        if let feature = evidence.feature { object["feature"] = .string(feature) }
        if let pValue = evidence.pValue { object["p_value"] = .number(pValue) }
        return .object(object)
    }
}

extension DriftParameter.Value {
    var json: JSONValue {
        switch self {
        case .number(let x): return .number(x)
        case .integer(let i): return .integer(i)
        case .text(let s): return .string(s)
        case .flag(let b): return .bool(b)
        }
    }
}
