import OnlineML

/// One record of the predictions topic (learn → detect and any consumer), format
/// `driftline.prediction` version 1 (see docs/topics.md). Prequential: made before the model
/// learned from the event.
public struct PredictionRecord: PayloadRecord, Sendable, Equatable {
    public static let formatName = "driftline.prediction"
    public static let formatVersion = 1

    /// The model name (the model topic's key) and the version that made the prediction.
    public var model: String
    /// The model's record key on the model topic (`NAME` or `NAME/PARTITION`).
    public var modelKey: String
    public var modelVersion: Int
    /// The event's position on the events topic.
    public var source: SourcePosition
    /// The features record the learner read.
    public var input: SourcePosition
    public var key: String?
    public var time: FieldValue?
    /// Regression: the value. Classification: the class, 1 or 0.
    public var prediction: Double
    /// Classification: P(y = 1).
    public var probability: Double?
    /// The label, when the event had one.
    public var label: Double?
    /// Log loss (classification) or squared error (regression), when labelled.
    public var loss: Double?
    /// 0/1 misclassification or absolute error, when labelled.
    public var error: Double?

    public init(
        model: String, modelKey: String, modelVersion: Int, source: SourcePosition, input: SourcePosition, key: String?,
        time: FieldValue?, prediction: Double, probability: Double?, label: Double?, loss: Double?, error: Double?
    ) {
        self.model = model
        self.modelKey = modelKey
        self.modelVersion = modelVersion
        self.source = source
        self.input = input
        self.key = key
        self.time = time
        self.prediction = prediction
        self.probability = probability
        self.label = label
        self.loss = loss
        self.error = error
    }

    public var json: JSONValue {
        .object([
            "format": .string(Self.formatName),
            "format_version": .integer(Self.formatVersion),
            "model": .string(model),
            "model_key": .string(modelKey),
            "model_version": .integer(modelVersion),
            "source": PayloadCoding.json(source),
            "input": PayloadCoding.json(input),
            "key": key.map { .string($0) } ?? .null,
            "time": time.map(PayloadCoding.json) ?? .null,
            "prediction": .number(prediction),
            "probability": PayloadCoding.optionalNumber(probability),
            "label": PayloadCoding.optionalNumber(label),
            "loss": PayloadCoding.optionalNumber(loss),
            "error": PayloadCoding.optionalNumber(error),
        ])
    }

    /// Canonical JSON bytes (the record value): `CanonicalJSON.encodeBytes(json)`, written
    /// directly.
    public func encoded() -> [UInt8] {
        Self.encoded(
            model: model, modelKey: modelKey, modelVersion: modelVersion, source: source, input: input, key: key,
            time: time, prediction: prediction, probability: probability, label: label, loss: loss, error: error)
    }

    /// ``encoded()`` of a record with these members, without building one: the learner writes
    /// a prediction per event, and a record built to be encoded and dropped retained and
    /// released its six strings and time value (and copied them once more).
    static func encoded(
        model: String, modelKey: String, modelVersion: Int, source: SourcePosition, input: SourcePosition, key: String?,
        time: FieldValue?, prediction: Double, probability: Double?, label: Double?, loss: Double?, error: Double?
    ) -> [UInt8] {
        CanonicalWriter.bytes { out in
            out.raw("{\"error\":")
            out.number(error)
            out.raw(",\"format\":\"driftline.prediction\",\"format_version\":1,\"input\":")
            out.position(input)
            out.raw(",\"key\":")
            out.string(key)
            out.raw(",\"label\":")
            out.number(label)
            out.raw(",\"loss\":")
            out.number(loss)
            out.raw(",\"model\":")
            out.string(model)
            out.raw(",\"model_key\":")
            out.string(modelKey)
            out.raw(",\"model_version\":")
            out.integer(modelVersion)
            out.raw(",\"prediction\":")
            out.number(prediction)
            out.raw(",\"probability\":")
            out.number(probability)
            out.raw(",\"source\":")
            out.position(source)
            out.raw(",\"time\":")
            out.value(time)
            out.raw("}")
        }
    }

    /// Reads a prediction record (members in any order; unknown members are skipped).
    public init(decodingBytes bytes: UnsafeRawBufferPointer?) throws(PayloadError) {
        self = try JSONScanner.scanPayload(bytes) { (scanner) throws -> PredictionRecord in
            var format: String?
            var version: Int?
            var model: String?
            var modelKey: String?
            var modelVersion: Int?
            var source: SourcePosition?
            var input: SourcePosition?
            var key: String?
            var time: FieldValue?
            var prediction: Double?
            var probability, label, loss, error: Double?
            try scanner.beginObject()
            // Keys matched on their bytes, most frequent writers' order first (no key strings).
            while let member = try scanner.nextMemberKey() {
                if member == "error" {
                    error = try scanner.optionalNumber()
                } else if member == "format" {
                    format = try scanner.string()
                } else if member == "format_version" {
                    version = try scanner.integer()
                } else if member == "input" {
                    input = try scanner.sourcePosition("input")
                } else if member == "key" {
                    key = try scanner.optionalString()
                } else if member == "label" {
                    label = try scanner.optionalNumber()
                } else if member == "loss" {
                    loss = try scanner.optionalNumber()
                } else if member == "model" {
                    model = try scanner.string()
                } else if member == "model_key" {
                    modelKey = try scanner.string()
                } else if member == "model_version" {
                    modelVersion = try scanner.integer()
                } else if member == "prediction" {
                    prediction = try scanner.number()
                } else if member == "probability" {
                    probability = try scanner.optionalNumber()
                } else if member == "source" {
                    source = try scanner.sourcePosition("source")
                } else if member == "time" {
                    let value = try scanner.fieldValue()
                    time = value == .null ? nil : value
                } else {
                    try scanner.skipValue()
                }
            }
            guard format == PredictionRecord.formatName else { throw PayloadError("not a \(PredictionRecord.formatName) record") }
            guard version == PredictionRecord.formatVersion else {
                throw PayloadError("unsupported \(PredictionRecord.formatName) format_version \(version.map(String.init) ?? "null")")
            }
            guard let model, let modelVersion, let prediction, let source, let input else {
                throw PayloadError("a prediction needs 'model', 'model_version', 'prediction', 'source' and 'input'")
            }
            return PredictionRecord(
                model: model, modelKey: modelKey ?? model, modelVersion: modelVersion, source: source, input: input,
                key: key, time: time, prediction: prediction, probability: probability, label: label, loss: loss,
                error: error)
        }
    }
}
