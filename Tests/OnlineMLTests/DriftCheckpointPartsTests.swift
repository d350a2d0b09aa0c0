import Foundation
import Testing

@testable import OnlineML

/// The data monitor checkpointed in parts (a summary and one snapshot per feature, as the detect
/// stage's changelog stores it) continues bit-identically, and parts that do not belong together
/// are refused.
@Suite struct DriftCheckpointPartsTests {
    @Test(arguments: DriftDataTests.numericTests)
    func monitorRestoredFromItsPartsContinuesIdentically(_ test: FeatureDriftMonitor.NumericTest) throws {
        var uninterrupted = DriftDataTests.numericMonitor(test)
        let expected = DriftDataTests.feed(&uninterrupted, count: 8000, seed: 5, shiftAt: 5000)
        #expect(!expected.isEmpty)

        for cut in [1, 1999, 3333, 5200] {
            var first = DriftDataTests.numericMonitor(test)
            var found = DriftDataTests.feed(&first, count: cut, seed: 5, shiftAt: 5000)
            let parts = first.checkpointParts
            // Through bytes, as the changelog carries them.
            let summary = try JSONDecoder().decode(
                FeatureDriftMonitor.Summary.self, from: try encodedState(parts.summary))
            let features = try parts.features.map {
                try JSONDecoder().decode(FeatureDriftMonitor.FeatureSnapshot.self, from: try encodedState($0))
            }
            var restored = try FeatureDriftMonitor(summary: summary, features: features)
            #expect(restored == first)
            found += DriftDataTests.feedTail(&restored, from: cut, to: 8000, seed: 5, shiftAt: 5000)
            #expect(found == expected, "restored after \(cut) events")
            #expect(try encodedState(restored) == encodedState(uninterrupted))
        }
    }

    @Test func partsThatDoNotMatchTheSummaryAreRefused() {
        var monitor = DriftDataTests.numericMonitor(.kolmogorovSmirnov(alpha: 0.001))
        _ = DriftDataTests.feed(&monitor, count: 100, seed: 1)
        let parts = monitor.checkpointParts
        #expect(throws: DriftConfigurationError.self) {
            try FeatureDriftMonitor(summary: parts.summary, features: Array(parts.features.dropLast()))
        }
        #expect(throws: DriftConfigurationError.self) {
            try FeatureDriftMonitor(summary: parts.summary, features: parts.features.reversed())
        }
    }
}
