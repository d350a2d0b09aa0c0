import OnlineML

/// What happened to one input record in a prequential evaluation: one line of the trace.
public struct EvaluationStep: Sendable, Equatable {
    /// 0-based index of the record among all records of the input (rejected ones included).
    public var index: Int
    /// 1-based line of the record in its file, when it came from a file.
    public var line: Int?
    /// Regression: the predicted value. Classification: the predicted class, 1 or 0.
    public var prediction: Double?
    /// Classification: P(y = 1). `nil` for regression.
    public var probability: Double?
    /// The label, when the event had one (classification: 1 or 0).
    public var label: Double?
    /// Per-event loss before learning: log loss (classification) or squared error (regression).
    public var loss: Double?
    /// Detections completed by this record (concept and data drift).
    public var alarms: [DriftDetection]
    /// Why the record was rejected; `nil` if it was processed.
    public var rejection: String?

    public init(index: Int, line: Int?) {
        self.index = index
        self.line = line
        alarms = []
    }

    /// The trace line: `{"index":…,"line":…,"prediction":…,"probability":…,"loss":…,"label":…,
    /// "alarms":[…]}` plus `"rejected"` for a rejected record.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "index": .integer(index),
            "line": line.map { .integer($0) } ?? .null,
            "prediction": prediction.map { .number($0) } ?? .null,
            "probability": probability.map { .number($0) } ?? .null,
            "loss": loss.map { .number($0) } ?? .null,
            "label": label.map { .number($0) } ?? .null,
            "alarms": .array(alarms.map { alarm in
                var entry: [String: JSONValue] = ["detector": .string(alarm.detector), "kind": .string(alarm.kind.rawValue)]
                if let feature = alarm.feature { entry["feature"] = .string(feature) }
                return .object(entry)
            }),
        ]
        if let rejection { object["rejected"] = .string(rejection) }
        return .object(object)
    }
}
