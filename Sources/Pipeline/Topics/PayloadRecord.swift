/// A topic payload read in place from its value bytes. Each record says only how it reads
/// bytes; reading an array or a lent record value is the same for every one.
public protocol PayloadRecord {
    /// Reads a record from `bytes` (nil: a record without a value, which each refuses with
    /// its own message).
    init(decodingBytes bytes: UnsafeRawBufferPointer?) throws(PayloadError)
}

extension PayloadRecord {
    /// ``init(decodingBytes:)`` of an array's bytes.
    public init(decoding bytes: [UInt8]?) throws(PayloadError) {
        guard let bytes else {
            try self.init(decodingBytes: nil)
            return
        }
        self = try bytes.withUnsafeBufferPointer { (buffer) throws(PayloadError) in
            try Self(decodingBytes: UnsafeRawBufferPointer(buffer))
        }
    }

    /// Reads the value of `record` in place (no copy of a lent input).
    public init(decodingValueOf record: StageRecord) throws(PayloadError) {
        self = try record.withUnsafeValueBytes { (bytes) throws(PayloadError) in try Self(decodingBytes: bytes) }
    }
}
