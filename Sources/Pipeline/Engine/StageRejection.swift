/// Thrown by ``Stage/process(_:context:)`` for a record the stage cannot handle (bad JSON,
/// missing field, wrong type…). The engine dead-letters the input unchanged with `reason` in
/// the `driftline.error` header and carries on with the next record.
public struct StageRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
