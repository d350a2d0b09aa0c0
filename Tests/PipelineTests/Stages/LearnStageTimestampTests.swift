import Foundation
import Testing

@testable import Pipeline

/// The learner writes `created_at` itself; it must match what Foundation's ISO-8601
/// formatter writes with fractional seconds.
@Suite struct LearnStageTimestampTests {
    @Test func createdAtMatchesTheISO8601Formatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let samples: [Int64] = [
            0, 1, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 1_709_164_800_123,
            1_795_846_992_933, 4_102_444_800_000, 253_402_300_799_999,
        ]
        for milliseconds in samples {
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            #expect(LearnStage.iso8601(milliseconds: milliseconds) == expected, "\(milliseconds)")
        }
    }
}
