import OnlineML

/// One record of the features topic (transform → learn, detect), format `driftline.features`
/// version 2 (see docs/topics.md).
///
/// It carries the event the transform accepted (the learner mirrors the transformer exactly by
/// running the same step on it, and the data-drift monitor reads its raw values), the decoded
/// label, the event time, the key and the lineage of the source event. The record is compact:
/// the event's own JSON text is copied in, not re-encoded, and no feature vectors are written
/// (version 1 carried the `predict` and `learn` vectors; any consumer can compute them exactly
/// from the event and the transformer state in the model documents).
public struct FeaturesRecord: PayloadRecord, Sendable, Equatable {
    public static let formatName = "driftline.features"
    /// The version the transform writes.
    public static let formatVersion = 2
    /// The versions readers accept: 1 (written by earlier transforms; its vectors are skipped)
    /// and 2.
    public static let readableVersions: ClosedRange<Int> = 1...2

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

    public init(source: SourcePosition, key: String?, time: FieldValue?, label: Double?, fields: [EventField]) {
        self.source = source
        self.key = key
        self.time = time
        self.label = label
        self.fields = fields
    }

    /// The event to mirror.
    public var event: Event { Event(fields: fields) }

    /// The record value with `event` written from ``fields`` (in their order; strings escaped
    /// and numbers written as canonical JSON does, so it parses back to the same event).
    public func encoded() -> [UInt8] {
        CanonicalWriter.bytes { out in
            out.raw("{\"event\":{")
            for (index, field) in fields.enumerated() {
                if index > 0 { out.raw(",") }
                out.string(field.name)
                out.raw(":")
                out.value(field.value)
            }
            out.raw("}")
            writeMembers(&out)
        }
    }

    /// The record value with `event` copied from `eventJSON`: the JSON object text the event
    /// was parsed from, which must be valid UTF-8 (the transform checks). Parsing the copy
    /// gives the same event, since it is the same text.
    public func encoded(eventJSON: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        CanonicalWriter.bytes { out in
            out.raw("{\"event\":")
            out.raw(eventJSON)
            writeMembers(&out)
        }
    }

    /// Every member after `event`, in sorted key order, and the closing brace.
    private func writeMembers(_ out: inout CanonicalWriter) {
        out.raw(",\"format\":\"driftline.features\",\"format_version\":2,\"key\":")
        out.string(key)
        out.raw(",\"label\":")
        out.number(label)
        out.raw(",\"source\":")
        out.position(source)
        out.raw(",\"time\":")
        out.value(time)
        out.raw("}")
    }

    /// What a reader of one stream's features records keeps from one record to the next, so
    /// what repeats is not built again: the event's field names and the source topic.
    public struct ReadingCache: Sendable {
        var fieldNames: EventFieldNames
        var sourceTopic = ""

        public init() {
            fieldNames = EventFieldNames()
        }

        /// For a single record: nothing kept.
        static var none: ReadingCache {
            var cache = ReadingCache()
            cache.fieldNames = EventFieldNames(enabled: false)
            return cache
        }
    }

    /// Reads the value of `record` in place, reusing what the previous record read with
    /// `cache` had (a reader of a stream passes the same cache every time).
    public init(decodingValueOf record: StageRecord, cache: inout ReadingCache) throws(PayloadError) {
        self = try record.withUnsafeValueBytes { (bytes) throws(PayloadError) in
            try FeaturesRecord(decodingBytes: bytes, cache: &cache)
        }
    }

    /// Reads a features record of version 1 or 2 (members in any order; unknown members are
    /// skipped). The event is parsed with the event parser's own rules.
    public init(decodingBytes bytes: UnsafeRawBufferPointer?) throws(PayloadError) {
        var cache = ReadingCache.none
        try self.init(decodingBytes: bytes, cache: &cache)
    }

    /// `init(decodingBytes:)` with a ``ReadingCache``.
    public init(decodingBytes bytes: UnsafeRawBufferPointer?, cache: inout ReadingCache) throws(PayloadError) {
        self = try JSONScanner.scanPayload(bytes) { (scanner) throws -> FeaturesRecord in
            var format: String?
            var version: Int?
            var source: SourcePosition?
            var key: String?
            var time: FieldValue?
            var label: Double?
            var fields: [EventField]?
            var event: [EventField]?
            try scanner.beginObject()
            // Keys matched on their bytes (no key strings).
            while let member = try scanner.nextMemberKey() {
                if member == "event" {
                    switch JSONEventParser.parseObject(&scanner, fieldNames: &cache.fieldNames) {
                    case .success(let parsed): event = parsed.fields
                    case .failure(let rejection): throw PayloadError("'event' is not a usable event: \(rejection)")
                    }
                } else if member == "format" {
                    // Compared in place (no string) when it has no escapes.
                    if let raw = scanner.plainString() {
                        format = JSONScanner.bytes(raw, equal: FeaturesRecord.formatName)
                            ? FeaturesRecord.formatName : String(decoding: raw, as: UTF8.self)
                    } else {
                        format = try scanner.string()
                    }
                } else if member == "format_version" {
                    version = try scanner.integer()
                } else if member == "key" {
                    key = try scanner.optionalString()
                } else if member == "label" {
                    label = try scanner.optionalNumber()
                } else if member == "source" {
                    source = try scanner.sourcePosition("source", topicCache: &cache.sourceTopic)
                } else if member == "time" {
                    let value = try scanner.fieldValue()
                    time = value == .null ? nil : value
                } else if member == "fields" {
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
                } else {
                    try scanner.skipValue()
                }
            }
            guard format == FeaturesRecord.formatName else { throw PayloadError("not a \(FeaturesRecord.formatName) record") }
            guard let version, FeaturesRecord.readableVersions.contains(version) else {
                throw PayloadError(
                    "unsupported \(FeaturesRecord.formatName) format_version \(version.map(String.init) ?? "null") "
                        + "(this reader knows versions 1 and 2)")
            }
            guard let source else { throw PayloadError("a features record needs 'source'") }
            let eventFields: [EventField]
            if version == 1 {
                guard let fields else { throw PayloadError("a features record of version 1 needs 'fields'") }
                eventFields = fields
            } else {
                guard let event else { throw PayloadError("a features record of version 2 needs 'event'") }
                eventFields = event
            }
            return FeaturesRecord(source: source, key: key, time: time, label: label, fields: eventFields)
        }
    }
}
