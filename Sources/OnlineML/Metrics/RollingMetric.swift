/// Turns any ``StreamingMetric`` into one over the last `windowSize` observations (River's
/// `utils.Rolling`): each update past the window reverts the oldest observation.
public struct RollingMetric<Metric: StreamingMetric>: Sendable {
    public let windowSize: Int
    public private(set) var metric = Metric()
    private var window: [Metric.Observation] = []
    private var oldest = 0

    public init(windowSize: Int) {
        precondition(windowSize > 0)
        self.windowSize = windowSize
        window.reserveCapacity(windowSize)
    }

    public static var name: String { "rolling_\(Metric.name)" }

    public mutating func update(_ observation: Metric.Observation) {
        metric.update(observation)
        if window.count < windowSize {
            window.append(observation)
        } else {
            metric.revert(window[oldest])
            window[oldest] = observation
            oldest = (oldest + 1) % windowSize
        }
    }

    /// Observations currently in the window.
    public var count: Int { window.count }
    public var value: Double { metric.value }
}
