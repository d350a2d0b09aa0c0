/// Which clock drives a scheduled punctuation (Kafka Streams' `PunctuationType`).
public enum PunctuationType: String, Sendable, Hashable {
    /// The task's stream time: the largest input timestamp seen so far. Deterministic: the
    /// same input fires the same punctuations at the same records, on replay too.
    case streamTime = "stream_time"
    /// The runner's wall clock (the test driver's manual clock). Fires even without input.
    case wallClock = "wall_clock"
}

/// A due punctuation, passed to ``Stage/punctuate(_:context:)``.
public struct Punctuation: Sendable, Hashable {
    /// The name given to ``StageContext/schedule(_:every:on:)``.
    public var name: String
    public var type: PunctuationType
    /// The time that made it due, in milliseconds (stream time or wall clock). When time
    /// jumped over several intervals the punctuation fires once.
    public var timeMilliseconds: Int64

    public init(name: String, type: PunctuationType, timeMilliseconds: Int64) {
        self.name = name
        self.type = type
        self.timeMilliseconds = timeMilliseconds
    }
}
