import OnlineML

/// One record of the features topic (transform → learn), format `driftline.features` version 1
/// (see docs/topics.md).
///
/// It carries the event as parsed (`fields`, in order), so the learner mirrors the transformer
/// exactly (River's semantics: prediction with statistics of earlier events, learning with
/// statistics that include this one), plus the two vectors the transform computed for other
/// consumers, the label, the event time and the lineage of the source event.
public struct FeaturesRecord: Sendable, Equatable {
    public static let formatName = "driftline.features"
    public static let formatVersion = 1

    /// One named feature value.
    public struct Feature: Sendable, Equatable {
        public var name: String
        public var value: Double

        public init(_ name: String, _ value: Double) {
            self.name = name
            self.value = value
        }
    }

    /// The event's position on the events topic.
    public var source: SourcePosition
    /// The schema's key field (or the record key), if any.
    public var key: String?
    /// The schema's time field as it appeared in the event, if any.
    public var time: FieldValue?
    /// The decoded label (classification 0/1), nil when unlabelled.
    public var label: Double?
    /// The event as parsed, fields in their original order.
    public var fields: [EventField]
    /// The features the model predicts with (statistics of earlier events only), in id order.
    public var predict: [Feature]
    /// The features the model learns from (statistics including this event); nil when unlabelled.
    public var learn: [Feature]?

    public init(
        source: SourcePosition, key: String?, time: FieldValue?, label: Double?, fields: [EventField],
        predict: [Feature], learn: [Feature]?
    ) {
        self.source = source
        self.key = key
        self.time = time
        self.label = label
        self.fields = fields
        self.predict = predict
        self.learn = learn
    }

    /// The event to mirror.
    public var event: Event { Event(fields: fields) }

    public var json: JSONValue {
        func vector(_ features: [Feature]) -> JSONValue {
            .array(features.map { .array([.string($0.name), .number($0.value)]) })
        }
        return .object([
            "format": .string(Self.formatName),
            "format_version": .integer(Self.formatVersion),
            "source": PayloadCoding.json(source),
            "key": key.map { .string($0) } ?? .null,
            "time": time.map(PayloadCoding.json) ?? .null,
            "label": PayloadCoding.optionalNumber(label),
            "fields": .array(fields.map { .array([.string($0.name), PayloadCoding.json($0.value)]) }),
            "predict": vector(predict),
            "learn": learn.map(vector) ?? .null,
        ])
    }

    /// Canonical JSON bytes (the record value): `CanonicalJSON.encodeBytes(json)`, written
    /// directly.
    public func encoded() -> [UInt8] {
        var out = CanonicalWriter(capacity: 64 + 48 * (fields.count + predict.count + (learn?.count ?? 0)))
        func vector(_ features: [Feature]) {
            out.raw("[")
            for (index, feature) in features.enumerated() {
                out.raw(index == 0 ? "[" : ",[")
                out.string(feature.name)
                out.raw(",")
                out.number(feature.value)
                out.raw("]")
            }
            out.raw("]")
        }
        out.raw("{\"fields\":[")
        for (index, field) in fields.enumerated() {
            out.raw(index == 0 ? "[" : ",[")
            out.string(field.name)
            out.raw(",")
            out.value(field.value)
            out.raw("]")
        }
        out.raw("],\"format\":\"driftline.features\",\"format_version\":1,\"key\":")
        out.string(key)
        out.raw(",\"label\":")
        out.number(label)
        out.raw(",\"learn\":")
        if let learn { vector(learn) } else { out.raw("null") }
        out.raw(",\"predict\":")
        vector(predict)
        out.raw(",\"source\":")
        out.position(source)
        out.raw(",\"time\":")
        out.value(time)
        out.raw("}")
        return out.bytes
    }

    /// Reads a features record. With `skippingVectors` the `predict` and `learn` vectors are
    /// skipped unread and left empty (the learner needs only the event and its position).
    public init(decoding bytes: [UInt8]?, skippingVectors: Bool = false) throws(PayloadError) {
        self = try PayloadScanner.scan(bytes) { (scanner) throws(PayloadError) -> FeaturesRecord in
            var format: String?
            var version: Int?
            var source: SourcePosition?
            var key: String?
            var time: FieldValue?
            var label: Double?
            var fields: [EventField]?
            var predict: [Feature]?
            var learn: [Feature]?
            func vector(_ scanner: inout PayloadScanner) throws(PayloadError) -> [Feature] {
                var features: [Feature] = []
                try scanner.beginArray()
                while try scanner.nextItem() {
                    try scanner.beginArray()
                    guard try scanner.nextItem() else { throw PayloadError("a feature is not a [name, value] pair") }
                    let name = try scanner.string()
                    guard try scanner.nextItem() else { throw PayloadError("a feature is not a [name, value] pair") }
                    features.append(Feature(name, try scanner.number()))
                    guard try !scanner.nextItem() else { throw PayloadError("a feature is not a [name, value] pair") }
                }
                return features
            }
            try scanner.beginObject()
            while let member = try scanner.nextKey() {
                switch member {
                case "format": format = try scanner.string()
                case "format_version": version = try scanner.integer()
                case "source": source = try scanner.position("source")
                case "key": key = try scanner.optionalString()
                case "time":
                    let value = try scanner.fieldValue()
                    time = value == .null ? nil : value
                case "label": label = try scanner.optionalNumber()
                case "fields":
                    var parsed: [EventField] = []
                    try scanner.beginArray()
                    while try scanner.nextItem() {
                        try scanner.beginArray()
                        guard try scanner.nextItem() else { throw PayloadError("a field is not a [name, value] pair") }
                        let name = try scanner.string()
                        guard try scanner.nextItem() else { throw PayloadError("a field is not a [name, value] pair") }
                        parsed.append(EventField(name, try scanner.fieldValue()))
                        guard try !scanner.nextItem() else { throw PayloadError("a field is not a [name, value] pair") }
                    }
                    fields = parsed
                case "predict" where !skippingVectors: predict = try vector(&scanner)
                case "learn" where !skippingVectors: learn = try scanner.null() ? nil : try vector(&scanner)
                default: try scanner.skipValue()
                }
            }
            guard format == FeaturesRecord.formatName else { throw PayloadError("not a \(FeaturesRecord.formatName) record") }
            guard version == FeaturesRecord.formatVersion else {
                throw PayloadError("unsupported \(FeaturesRecord.formatName) format_version \(version.map(String.init) ?? "null")")
            }
            guard let source else { throw PayloadError("a features record needs 'source'") }
            guard let fields else { throw PayloadError("a features record needs 'fields'") }
            return FeaturesRecord(source: source, key: key, time: time, label: label, fields: fields,
                                  predict: predict ?? [], learn: learn)
        }
    }
}
