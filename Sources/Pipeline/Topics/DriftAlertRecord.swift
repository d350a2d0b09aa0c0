import OnlineML

/// One record of the drift-alerts topic, format `driftline.drift_alert` version 1 (see
/// docs/topics.md): the detector's evidence placed in the stream.
public struct DriftAlertRecord: Sendable, Equatable {
    public static let formatName = "driftline.drift_alert"
    public static let formatVersion = 1

    /// The model the watched predictions came from, and its record key on the model topic.
    public var model: String
    public var modelKey: String
    /// The version that made the prediction completing the detection; nil for data drift
    /// (features carry no model version).
    public var modelVersion: Int?
    /// What the detector was fed: `error`, `loss`, `field:NAME` (concept) or `feature` (data).
    public var input: String
    /// The detector's evidence: name, parameters, kind, feature, statistic, threshold,
    /// p-value, window sizes and its own value count.
    public var evidence: DriftDetection
    /// The event that completed the detection, on the events topic.
    public var source: SourcePosition
    /// The record the detect stage read (a prediction or a features record).
    public var inputPosition: SourcePosition
    /// The event time of that event, if the schema names a time field.
    public var time: FieldValue?

    public init(
        model: String, modelKey: String, modelVersion: Int?, input: String, evidence: DriftDetection, source: SourcePosition,
        inputPosition: SourcePosition, time: FieldValue?
    ) {
        self.model = model
        self.modelKey = modelKey
        self.modelVersion = modelVersion
        self.input = input
        self.evidence = evidence
        self.source = source
        self.inputPosition = inputPosition
        self.time = time
    }

    public var json: JSONValue {
        var parameters: [String: JSONValue] = [:]
        for parameter in evidence.parameters { parameters[parameter.name] = parameter.value.json }
        return .object([
            "format": .string(Self.formatName),
            "format_version": .integer(Self.formatVersion),
            "model": .string(model),
            "model_key": .string(modelKey),
            "model_version": modelVersion.map { .integer($0) } ?? .null,
            "kind": .string(evidence.kind.rawValue),
            "feature": evidence.feature.map { .string($0) } ?? .null,
            "input": .string(input),
            "detector": .string(evidence.detector),
            "parameters": .object(parameters),
            "statistic": .number(evidence.statistic),
            "threshold": .number(evidence.threshold),
            "p_value": PayloadCoding.optionalNumber(evidence.pValue),
            "window_sizes": .array(evidence.windowSizes.map { .integer($0) }),
            "detector_position": .integer(evidence.position),
            "position": .object([
                "source": PayloadCoding.json(source),
                "input": PayloadCoding.json(inputPosition),
                "time": time.map(PayloadCoding.json) ?? .null,
            ]),
        ])
    }

    public func encoded() -> [UInt8] { CanonicalJSON.encodeBytes(json) }

    /// What the learner needs of an alert: kind, model, version and where it happened.
    public struct Summary: Sendable, Equatable {
        public var json: JSONValue
        public var modelKey: String
        public var modelVersion: Int?
        public var kind: String
        public var sourceOffset: Int
    }

    public static func summary(decoding bytes: [UInt8]?) throws(PayloadError) -> Summary {
        let json = try PayloadCoding.parse(bytes, format: formatName, version: formatVersion)
        guard let modelKey = json["model_key"]?.stringValue, let kind = json["kind"]?.stringValue else {
            throw PayloadError("an alert needs 'model_key' and 'kind'")
        }
        let source = try PayloadCoding.position(json["position"]?["source"], "position.source")
        return Summary(json: json, modelKey: modelKey, modelVersion: json["model_version"]?.intValue, kind: kind,
                       sourceOffset: Int(source.offset))
    }
}
