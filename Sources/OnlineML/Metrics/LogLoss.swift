#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mean binary cross-entropy, with p clamped to [1e−15, 1 − 1e−15] as River does.
public struct LogLoss: StreamingMetric {
    public static let name = "log_loss"
    private var mean = RunningMean()

    public init() {}

    public static func loss(_ o: BinaryOutcome) -> Double {
        let p = min(max(o.probability, 1e-15), 1 - 1e-15)
        return o.label ? -log(p) : -log(1 - p)
    }

    public mutating func update(_ o: BinaryOutcome) { mean.add(Self.loss(o)) }
    public mutating func revert(_ o: BinaryOutcome) { mean.remove(Self.loss(o)) }
    public var value: Double { mean.mean }
}
