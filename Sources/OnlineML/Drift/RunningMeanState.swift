/// River's `stats.Mean` as the drift detectors use it: `n += 1; mean += (1/n)·(x − mean)`.
/// Kept with the same operation order so detectors reproduce River's indices exactly.
struct RunningMeanState: Codable, Sendable, Equatable {
    /// Count as a Double, as River keeps it (weights are floats there).
    var count: Double = 0
    var mean: Double = 0

    @inline(__always)
    mutating func update(_ value: Double) {
        count += 1
        mean += (1 / count) * (value - mean)
    }
}
