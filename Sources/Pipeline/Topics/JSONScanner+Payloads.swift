import OnlineML

/// The topic payload readers (features, predictions) pull from OnlineML's ``JSONScanner``:
/// the same tokenizer and number conversion as the event parser, so every number Driftline
/// wrote reads back to the same double.
extension JSONScanner {
    /// `{"topic":…,"partition":…,"offset":…}` in any key order; `name` is for the error.
    mutating func sourcePosition(_ name: String) throws -> SourcePosition {
        var unused = ""
        return try sourcePosition(name, topicCache: &unused)
    }

    /// ``sourcePosition(_:)`` whose topic is `topicCache` when the bytes are its bytes (a
    /// stream's records name the same topic: no string is built), else read and cached.
    mutating func sourcePosition(_ name: String, topicCache: inout String) throws -> SourcePosition {
        var topic: String?
        var partition: Int?
        var offset: Int?
        try beginObject()
        while let key = try nextMemberKey() {
            if key == "topic" {
                if let raw = plainString() {
                    if !JSONScanner.bytes(raw, equal: topicCache) { topicCache = String(decoding: raw, as: UTF8.self) }
                    topic = topicCache
                } else {
                    topic = try string()
                }
            } else if key == "partition" {
                partition = try integer()
            } else if key == "offset" {
                offset = try integer()
            } else {
                try skipValue()
            }
        }
        guard let topic, let partition, let offset, let partition32 = Int32(exactly: partition) else {
            throw PayloadError("'\(name)' is not a {topic, partition, offset} object")
        }
        return SourcePosition(topic: topic, partition: partition32, offset: Int64(offset))
    }

    /// Runs `body` over a payload and checks nothing but whitespace follows what it read.
    /// Syntax errors become ``PayloadError``s; a tombstone (no value) is one too.
    static func scanPayload<T>(_ bytes: [UInt8]?, _ body: (inout JSONScanner) throws -> T) throws(PayloadError) -> T {
        guard let bytes else { throw PayloadError("the record has no value (tombstone)") }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(PayloadError) -> T in
            try scanPayload(UnsafeRawBufferPointer(buffer), body)
        }
    }

    /// `scanPayload` over bytes read in place (a lent record value).
    static func scanPayload<T>(
        _ bytes: UnsafeRawBufferPointer?, _ body: (inout JSONScanner) throws -> T
    ) throws(PayloadError) -> T {
        guard let bytes else { throw PayloadError("the record has no value (tombstone)") }
        // The value is returned as it is, not through a `Result`: `Result.get()` copies its
        // payload, a retain and release of every string and array of a features record, per
        // record read.
        var scanner = JSONScanner(bytes.assumingMemoryBound(to: UInt8.self))
        do {
            let value = try body(&scanner)
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("trailing characters") }
            return value
        } catch let error as PayloadError {
            throw error
        } catch let error as JSONSyntaxError {
            throw PayloadError(error.description)
        } catch {
            throw PayloadError(String(describing: error))
        }
    }
}
