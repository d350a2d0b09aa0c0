import OnlineML

/// One record of an input file: its 1-based line number and either the event or why the line
/// could not be read as one.
public struct InputRecord: Sendable {
    public var line: Int
    public var content: Result<Event, InputRecordError>

    public init(line: Int, content: Result<Event, InputRecordError>) {
        self.line = line
        self.content = content
    }
}

/// Why a line of an input file is not an event. Counted as a rejection, never a crash.
public struct InputRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
