import ArgumentParser
import OnlineML

/// `driftline bench drift`: update rate of the concept-drift detectors, in values per second,
/// beside a plain running-mean loop over the same values measured in the same run (the
/// reference: the least work any detector must do per value). Build with `-c release`.
struct BenchDrift: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "ADWIN and Page-Hinkley update rate against a running-mean loop."
    )

    @Option(help: "Values per run (a seeded normal stream with a mean shift every 250,000).")
    var values: Int = 10_000_000

    @Option(help: "Timed repetitions; the best run of each is reported.")
    var repetitions: Int = 3

    @Option(help: "Seed of the value stream.")
    var seed: UInt64 = 7

    func run() throws {
        var random = SeededRandom(seed: seed)
        let stream = (0..<values).map { index in
            random.nextGaussian() + Double((index / 250_000) % 2)
        }

        let reference = best { () -> Double in
            var mean = 0.0
            var count = 0.0
            for value in stream {
                count += 1
                mean += (value - mean) / count
            }
            return mean
        }
        print("values per run: \(values), best of \(repetitions)")
        report("reference (running mean)", reference, against: reference)

        let adwin = best { () -> Double in
            var detector = AdaptiveWindowing()
            var detections = 0
            for value in stream where detector.update(value) { detections += 1 }
            return Double(detections)
        }
        report("ADWIN(delta 0.002, clock 32)", adwin, against: reference)

        let adwinEveryValue = best { () -> Double in
            var detector = AdaptiveWindowing(clock: 1)
            var detections = 0
            for value in stream where detector.update(value) { detections += 1 }
            return Double(detections)
        }
        report("ADWIN(delta 0.002, clock 1)", adwinEveryValue, against: reference)

        let pageHinkley = best { () -> Double in
            var detector = PageHinkley()
            var detections = 0
            for value in stream where detector.update(value) { detections += 1 }
            return Double(detections)
        }
        report("PageHinkley(defaults)", pageHinkley, against: reference)
    }

    /// Seconds of the fastest of `repetitions` runs, and the run's result (printed so the work
    /// cannot be optimized away).
    private func best(_ body: () -> Double) -> (seconds: Double, result: Double) {
        var fastest = Double.infinity
        var result = 0.0
        let clock = ContinuousClock()
        for _ in 0..<max(1, repetitions) {
            var value = 0.0
            let elapsed = clock.measure { value = body() }
            let seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            fastest = min(fastest, seconds)
            result = value
        }
        return (fastest, result)
    }

    private func report(
        _ name: String, _ run: (seconds: Double, result: Double),
        against reference: (seconds: Double, result: Double)
    ) {
        let rate = Double(values) / run.seconds
        let ratio = run.seconds / reference.seconds
        let millions = (rate / 1e6 * 10).rounded() / 10
        let rounded = (ratio * 100).rounded() / 100
        print(
            "\(name): \(millions)M values/s, \(rounded)x the reference's time (result \(run.result))"
        )
    }
}
