import Testing

@testable import OnlineML

/// The pinned outputs of River 0.26's doc examples, on the same streams (Python's generator is
/// reproduced by `PythonRandom`).
@Suite struct DriftRiverExampleTests {
    /// `rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])`, seed 42.
    static let binaryStream: [Double] = {
        var rng = PythonRandom(seed: 42)
        return rng.choices([0, 1], k: 1000) + rng.choices([0, 1], weights: [0.3, 0.7], k: 1000)
    }()

    /// `rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)`, seed 12345.
    static let jumpStream: [Double] = {
        var rng = PythonRandom(seed: 12345)
        return rng.choices([0, 1], k: 1000) + rng.choices([4, 5, 6, 7], k: 1000)
    }()

    /// Replays River's example loop: first warning after each (re)start, and every drift.
    static func warningsAndDrifts<D: DriftDetector>(
        _ detector: inout D, _ values: [Double], warning: (D) -> Bool
    ) -> (warnings: [Int], drifts: [Int]) {
        var printWarning = true
        var warnings: [Int] = []
        var drifts: [Int] = []
        for (index, value) in values.enumerated() {
            detector.update(value)
            if warning(detector) && printWarning {
                warnings.append(index)
                printWarning = false
            }
            if detector.driftDetected {
                drifts.append(index)
                printWarning = true
            }
        }
        return (warnings, drifts)
    }

    @Test func adwinExample() {
        var adwin = AdaptiveWindowing()
        #expect(adwin.detections(in: Self.jumpStream) == [1023])
    }

    @Test func pageHinkleyExample() {
        var detector = PageHinkley()
        #expect(detector.detections(in: Self.jumpStream) == [1006])
    }

    @Test func ddmExample() {
        var detector = DDM()
        let found = Self.warningsAndDrifts(&detector, Self.binaryStream) { $0.warningDetected }
        #expect(found.warnings == [1084, 1492])
        #expect(found.drifts == [1334])
    }

    @Test func eddmExample() {
        var detector = EDDM(alpha: 0.8, beta: 0.75)
        let found = Self.warningsAndDrifts(&detector, Self.binaryStream) { $0.warningDetected }
        #expect(found.warnings == [1059])
        #expect(found.drifts == [1278])
    }

    @Test func hddmAExample() {
        var detector = HDDMA()
        let found = Self.warningsAndDrifts(&detector, Self.binaryStream) { $0.warningDetected }
        #expect(found.warnings == [451])
        #expect(found.drifts == [1206])
    }

    @Test func hddmWExample() {
        var detector = HDDMW()
        let found = Self.warningsAndDrifts(&detector, Self.binaryStream) { $0.warningDetected }
        #expect(found.warnings == [451])
        #expect(found.drifts == [1077])
    }
}

/// KSWIN's semantics checked exactly by replaying River's generator (`random.Random(seed)`,
/// re-seeded on every restart as River does) through the detector's drawing hook.
@Suite struct DriftKSWINRiverTests {
    static func riverDetections(
        _ detector: inout KSWIN, seed: UInt32, values: [Double]
    ) -> [Int] {
        var rng = PythonRandom(seed: seed)
        var found: [Int] = []
        for (index, value) in values.enumerated() {
            if detector.driftDetected { rng = PythonRandom(seed: seed) }
            if detector.update(value, drawing: { rng.sample($0, from: $1) }) {
                found.append(index)
            }
        }
        return found
    }

    /// River's doc example: `KSWIN(alpha=0.0001, seed=42)` on the jump stream detects at 1016.
    @Test func docExample() {
        var detector = KSWIN(alpha: 0.0001, seed: 42)
        let found = Self.riverDetections(
            &detector, seed: 42, values: DriftRiverExampleTests.jumpStream)
        #expect(found == [1016])
    }

    /// REFERENCE.md: on numeric_drift_50k, River's KSWIN (seed 42) detected every change with
    /// delays 14, 25, 534, 1218, 102 and 67 false alarms.
    @Test func numericDriftReference() {
        var detector = KSWIN(seed: 42)
        let found = Self.riverDetections(&detector, seed: 42, values: DriftFixtures.numericDrift)
        let delays = DriftFixtures.numericDriftChanges.map { change in
            found.first(where: { $0 >= change }).map { $0 - change } ?? -1
        }
        #expect(delays == [14, 25, 534, 1218, 102])
        #expect(found.count - 5 == 67)
    }
}
