/// One record header: a name and an optional binary value (Kafka allows null header values).
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is the UTF-8 bytes of `value`.
    public init(name: String, string value: String) {
        self.init(name: name, value: Array(value.utf8))
    }

    /// The value decoded as UTF-8, when it is present.
    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

extension Array where Element == KafkaHeader {
    /// The value of the first header called `name`.
    public func first(named name: String) -> [UInt8]?? {
        first(where: { $0.name == name }).map(\.value)
    }
}
