import Foundation
import Testing

@testable import OnlineML

/// The seeded generator behind every random choice in detectors, tests and streams.
@Suite struct DriftSupportTests {
    /// Published known answers: SplitMix64 from 0, xoshiro256** from state (1, 2, 3, 4).
    @Test func knownAnswers() {
        var mixer = SplitMix64(state: 0)
        #expect(
            [mixer.next(), mixer.next(), mixer.next()]
                == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var generator = SeededRandom(state: (1, 2, 3, 4))
        #expect(
            [generator.next(), generator.next(), generator.next(), generator.next()]
                == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func sameSeedSameSequenceAndCheckpointContinues() throws {
        var a = SeededRandom(seed: 99)
        var b = SeededRandom(seed: 99)
        var c = SeededRandom(seed: 100)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        var restored = try JSONDecoder().decode(SeededRandom.self, from: try encodedState(a))
        #expect(
            (0..<10).map { _ in restored.nextUnitDouble() }
                == (0..<10).map { _ in a.nextUnitDouble() })
    }

    @Test func derivedValuesStayInRange() {
        var random = SeededRandom(seed: 5)
        var sum = 0.0
        var squares = 0.0
        let count = 100_000
        for _ in 0..<count {
            let u = random.nextUnitDouble()
            #expect(u >= 0 && u < 1)
            let index = random.nextIndex(below: 7)
            #expect(index >= 0 && index < 7)
            let z = random.nextGaussian()
            #expect(z.isFinite)
            sum += z
            squares += z * z
        }
        let mean = sum / Double(count)
        let variance = squares / Double(count) - mean * mean
        // Standard error of the mean is 1/sqrt(1e5) ≈ 0.003.
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test func sampleIndicesAreDistinct() {
        var random = SeededRandom(seed: 8)
        for _ in 0..<100 {
            let sample = random.sampleIndices(30, from: 70)
            #expect(sample.count == 30)
            #expect(Set(sample).count == 30)
            #expect(sample.allSatisfy { $0 >= 0 && $0 < 70 })
        }
        #expect(random.sampleIndices(5, from: 5).sorted() == [0, 1, 2, 3, 4])
    }
}
