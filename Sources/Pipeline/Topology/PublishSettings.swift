/// When a learn stage publishes a new model version to the models topic: after `every_events`
/// learned events or `every_seconds` of wall time, whichever comes first.
///
/// In a file: `publish: {every_events: 1000, every_seconds: 5}`.
public struct PublishSettings: Sendable, Equatable {
    /// Events learned between versions. Default 1000.
    public var everyEvents: Int
    /// Seconds between versions while learning. Default 5.
    public var everySeconds: Double

    public init(everyEvents: Int = 1000, everySeconds: Double = 5) {
        self.everyEvents = everyEvents
        self.everySeconds = everySeconds
    }
}
