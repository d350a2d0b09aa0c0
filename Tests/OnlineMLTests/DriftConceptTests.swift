import Testing

@testable import OnlineML

/// Concept-drift detectors find known changes within a bounded delay and stay quiet before.
@Suite struct DriftConceptTests {
    /// KSWIN with our generator detects every change of `numeric_drift_50k` within 2,000 values
    /// (River with seed 42: delays 14, 25, 534, 1218, 102). Its exact indices are not River's.
    @Test(arguments: [42] as [UInt64])
    func kswinDetectsEveryChange(seed: UInt64) throws {
        var detector = KSWIN(seed: seed)
        let found = detector.detections(in: DriftFixtures.numericDrift)
        for change in DriftFixtures.numericDriftChanges {
            let delay = found.first(where: { $0 >= change }).map { $0 - change }
            #expect(
                delay != nil && delay! <= 2000,
                "change at \(change): delay \(String(describing: delay))")
        }
        let evidence = try #require(detector.lastDetection)
        #expect(evidence.position == found.last)
        #expect(evidence.statistic > 0.1)
        #expect(try #require(evidence.pValue) <= evidence.threshold)
        #expect(evidence.windowSizes == [30, 30])
    }

    static let errorSeeds: [UInt64] = [1, 2, 3, 4, 5]

    static func errorStream(seed: UInt64) -> [Double] {
        DriftFixtures.errorStream(count: 10_000, change: 5000, before: 0.1, after: 0.4, seed: seed)
    }

    /// A 0/1 error stream, rate 0.1 for 5,000 values then 0.4 (seeds 1–5): each detector stays
    /// silent on the first segment and fires within 500 values of the change.
    ///
    /// DDM runs with `warmStart` 200: with River's 30, its minimum `p + s` is taken from a few
    /// dozen values and seeds 2, 3 and 5 raise alarms in the first 150 values.
    @Test(arguments: [
        ("ddm", DDM(warmStart: 200) as any DriftDetector),
        ("hddm_a", HDDMA()),
        ("hddm_w", HDDMW()),
        ("adwin", AdaptiveWindowing()),
        ("page_hinkley", PageHinkley()),
    ])
    func errorRateIncreaseIsFound(name: String, detector: any DriftDetector) {
        for seed in Self.errorSeeds {
            var detector = detector
            let found = detector.detections(in: Self.errorStream(seed: seed))
            #expect(
                found.allSatisfy { $0 >= 5000 }, "\(name) seed \(seed): false alarm in \(found)")
            let delay = found.first.map { $0 - 5000 }
            #expect(
                delay != nil && delay! <= 500,
                "\(name) seed \(seed): delay \(String(describing: delay))")
        }
    }

    /// EDDM compares the spacing of errors with its running maximum, so on a steady error rate
    /// it raises false alarms (with River's defaults, every few hundred values here; River's own
    /// example lowers `alpha`/`beta` for that reason). With River's example thresholds and a
    /// 300-value warm start: at most one false alarm over the five stable segments, and every
    /// change found within 1,500 values (measured: 223, 233, 841, 1150, 579).
    @Test func eddmFindsTheIncreaseWithFewFalseAlarms() {
        var falseAlarms = 0
        for seed in Self.errorSeeds {
            var detector = EDDM(warmStart: 300, alpha: 0.8, beta: 0.75)
            let found = detector.detections(in: Self.errorStream(seed: seed))
            falseAlarms += found.filter { $0 < 5000 }.count
            let delay = found.first(where: { $0 >= 5000 }).map { $0 - 5000 }
            #expect(
                delay != nil && delay! <= 1500, "seed \(seed): delay \(String(describing: delay))")
        }
        #expect(falseAlarms <= 1)
    }

    @Test func pageHinkleyModesWatchTheirDirection() {
        let rising = [Double](repeating: 0, count: 500) + [Double](repeating: 1, count: 500)
        let falling = [Double](repeating: 1, count: 500) + [Double](repeating: 0, count: 500)
        var up = PageHinkley(threshold: 20, mode: .up)
        var down = PageHinkley(threshold: 20, mode: .down)
        #expect(!up.detections(in: rising).isEmpty)
        #expect(up.detections(in: falling).isEmpty)
        up.reset()
        down.reset()
        #expect(!down.detections(in: falling).isEmpty)
        #expect(down.detections(in: rising).isEmpty)
    }

    @Test func adwinEvidenceDescribesTheCut() throws {
        var adwin = AdaptiveWindowing()
        _ = adwin.detections(in: DriftFixtures.numericDrift.prefix(10_100))
        let evidence = try #require(adwin.lastDetection)
        #expect(evidence.position == 10015)
        #expect(evidence.statistic > evidence.threshold)
        #expect(evidence.windowSizes.count == 2)
        #expect(evidence.windowSizes.reduce(0, +) <= 10016)
        #expect(evidence.parameters.first == DriftParameter("delta", .number(0.002)))
    }
}
