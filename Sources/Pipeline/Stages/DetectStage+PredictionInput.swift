import OnlineML

/// What a concept detector on the predictions topic reads of each record: the source event's
/// position (to skip repeats) and the error and loss. The full ``PredictionRecord`` (model,
/// key, positions, strings) is decoded only for an alert, and for any record this reader does
/// not take as a plain prediction, so rejections are the full reader's, word for word.
struct DetectPredictionInput {
    var source: SourcePosition
    var error: Double?
    var loss: Double?

    /// The source topic of the previous record, reused while the bytes are the same.
    struct TopicCache {
        var topic = ""
    }

    /// Reads `bytes`, or returns nil when the record is not a prediction this reader can take
    /// as is (any syntax or content problem, escapes in a string it checks): the caller then
    /// decodes it with ``PredictionRecord``, which rejects it or reads it. Checks what that
    /// decoder checks — format, version, the required members and their types — and reads
    /// numbers with the same scanner, so an accepted record gives the same values.
    static func read(_ bytes: UnsafeRawBufferPointer?, topics: inout TopicCache) -> DetectPredictionInput? {
        guard let bytes else { return nil }
        var scanner = JSONScanner(bytes.assumingMemoryBound(to: UInt8.self))
        do throws(JSONSyntaxError) {
            var formatOK = false, versionOK = false, hasModel = false, hasModelVersion = false
            var hasPrediction = false, hasInput = false
            var source: SourcePosition?
            var error: Double?, loss: Double?
            try scanner.beginObject()
            while let member = try scanner.nextMemberKey() {
                if member == "error" {
                    error = try scanner.optionalNumber()
                } else if member == "format" {
                    guard let raw = scanner.plainString() else { return nil }
                    formatOK = Self.equal(raw, "driftline.prediction")
                } else if member == "format_version" {
                    versionOK = try scanner.integer() == PredictionRecord.formatVersion
                } else if member == "input" {
                    guard try position(&scanner, topics: nil) != nil else { return nil }
                    hasInput = true
                } else if member == "key" {
                    if try !scanner.null() { guard scanner.plainString() != nil else { return nil } }
                } else if member == "label" || member == "probability" {
                    _ = try scanner.optionalNumber()
                } else if member == "loss" {
                    loss = try scanner.optionalNumber()
                } else if member == "model" || member == "model_key" {
                    guard scanner.plainString() != nil else { return nil }
                    if member == "model" { hasModel = true }
                } else if member == "model_version" {
                    _ = try scanner.integer()
                    hasModelVersion = true
                } else if member == "prediction" {
                    _ = try scanner.number()
                    hasPrediction = true
                } else if member == "source" {
                    guard let position = try position(&scanner, topics: &topics) else { return nil }
                    source = position
                } else if member == "time" {
                    _ = try scanner.fieldValue()
                } else {
                    _ = try scanner.skipValue()
                }
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd, formatOK, versionOK, hasModel, hasModelVersion, hasPrediction, hasInput,
                  let source
            else { return nil }
            return DetectPredictionInput(source: source, error: error, loss: loss)
        } catch {
            return nil
        }
    }

    /// `{"offset":…,"partition":…,"topic":…}` as ``JSONScanner/sourcePosition(_:)`` reads it
    /// (nil where that one would throw, or for a topic with escapes). With `topics`, the topic
    /// string is the cached one when its bytes are equal.
    private static func position(
        _ scanner: inout JSONScanner, topics: UnsafeMutablePointer<TopicCache>?
    ) throws(JSONSyntaxError) -> SourcePosition? {
        var topic: String?
        var partition: Int?
        var offset: Int?
        try scanner.beginObject()
        while let key = try scanner.nextMemberKey() {
            if key == "topic" {
                guard let raw = scanner.plainString() else { return nil }
                if let topics, JSONScanner.bytes(raw, equal: topics.pointee.topic) {
                    topic = topics.pointee.topic
                } else {
                    topic = String(decoding: raw, as: UTF8.self)
                    topics?.pointee.topic = topic!
                }
            } else if key == "partition" {
                partition = try scanner.integer()
            } else if key == "offset" {
                offset = try scanner.integer()
            } else {
                _ = try scanner.skipValue()
            }
        }
        guard let topic, let partition, let offset, let partition32 = Int32(exactly: partition) else { return nil }
        return SourcePosition(topic: topic, partition: partition32, offset: Int64(offset))
    }

    private static func equal(_ raw: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { raw.elementsEqual($0) }
    }
}
