import OnlineML

/// JSON helpers shared by the topic payloads (features, predictions, drift alerts).
enum PayloadCoding {
    static func json(_ value: FieldValue) -> JSONValue {
        switch value {
        case .number(let x): return .number(x)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }

    static func fieldValue(_ json: JSONValue) throws(PayloadError) -> FieldValue {
        switch json {
        case .number(let x): return .number(x)
        case .integer(let i): return .number(Double(i))
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .array, .object: throw PayloadError("a field value is not a scalar")
        }
    }

    static func json(_ position: SourcePosition) -> JSONValue {
        .object([
            "topic": .string(position.topic), "partition": .integer(Int(position.partition)),
            "offset": .integer(Int(position.offset)),
        ])
    }

    static func position(_ json: JSONValue?, _ name: String) throws(PayloadError) -> SourcePosition {
        guard let json, let topic = json["topic"]?.stringValue, let partition = json["partition"]?.intValue,
              let offset = json["offset"]?.intValue
        else { throw PayloadError("'\(name)' is not a {topic, partition, offset} object") }
        return SourcePosition(topic: topic, partition: Int32(partition), offset: Int64(offset))
    }

    static func optionalNumber(_ x: Double?) -> JSONValue { x.map { .number($0) } ?? .null }

    /// Parses a payload and checks its `format` and `format_version`.
    static func parse(_ bytes: [UInt8]?, format: String, version: Int) throws(PayloadError) -> JSONValue {
        guard let bytes else { throw PayloadError("the record has no value (tombstone)") }
        let json: JSONValue
        do {
            json = try CanonicalJSON.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw PayloadError(error.message)
        }
        guard json["format"]?.stringValue == format else { throw PayloadError("not a \(format) record") }
        guard json["format_version"]?.intValue == version else {
            throw PayloadError("unsupported \(format) format_version \(json["format_version"].map { "\($0)" } ?? "null")")
        }
        return json
    }
}

/// A topic record is not the payload a stage expected; the stage dead-letters it.
public struct PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
