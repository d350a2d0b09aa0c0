/// A JSON value, used for model documents.
///
/// Objects are dictionaries: their order never matters because the only writer,
/// ``CanonicalJSON``, sorts keys. Integers are kept apart from doubles so counts and Kafka
/// offsets round-trip exactly.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .number(let x): x
        case .integer(let i): Double(i)
        default: nil
        }
    }

    public var intValue: Int? {
        switch self {
        case .integer(let i): i
        case .number(let x) where x == x.rounded() && abs(x) < 9e15: Int(x)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }
}

extension JSONValue {
    /// A JSON array of doubles.
    public static func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
    /// A JSON array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}

/// A model document (or part of one) is not what the reader expected.
public struct ModelDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "invalid model document: \(message)" }
}

extension JSONValue {
    /// Typed access for readers of documents: throws a readable error naming the missing key.
    public func require(_ key: String) throws(ModelDocumentError) -> JSONValue {
        guard let v = self[key] else { throw ModelDocumentError("missing '\(key)'") }
        return v
    }

    public func requireDouble(_ key: String) throws(ModelDocumentError) -> Double {
        guard let v = try require(key).doubleValue else { throw ModelDocumentError("'\(key)' is not a number") }
        return v
    }

    public func requireInt(_ key: String) throws(ModelDocumentError) -> Int {
        guard let v = try require(key).intValue else { throw ModelDocumentError("'\(key)' is not an integer") }
        return v
    }

    public func requireString(_ key: String) throws(ModelDocumentError) -> String {
        guard let v = try require(key).stringValue else { throw ModelDocumentError("'\(key)' is not a string") }
        return v
    }

    public func requireArray(_ key: String) throws(ModelDocumentError) -> [JSONValue] {
        guard let v = try require(key).arrayValue else { throw ModelDocumentError("'\(key)' is not an array") }
        return v
    }

    public func requireObject(_ key: String) throws(ModelDocumentError) -> [String: JSONValue] {
        guard let v = try require(key).objectValue else { throw ModelDocumentError("'\(key)' is not an object") }
        return v
    }

    public func requireDoubles(_ key: String) throws(ModelDocumentError) -> [Double] {
        var out: [Double] = []
        for v in try requireArray(key) {
            guard let x = v.doubleValue else { throw ModelDocumentError("'\(key)' holds a non-number") }
            out.append(x)
        }
        return out
    }

    public func requireStrings(_ key: String) throws(ModelDocumentError) -> [String] {
        var out: [String] = []
        for v in try requireArray(key) {
            guard let x = v.stringValue else { throw ModelDocumentError("'\(key)' holds a non-string") }
            out.append(x)
        }
        return out
    }
}
