import Testing

@testable import OnlineML

/// Detection indices on `numeric_drift_50k.jsonl` must equal River 0.26.1's (REFERENCE.md).
@Suite struct DriftReferenceTests {
    @Test func adwinClock32MatchesRiver() {
        var adwin = AdaptiveWindowing(delta: 0.002, clock: 32)
        let found = adwin.detections(in: DriftFixtures.numericDrift)
        #expect(found == [10015, 17535, 25119, 33151, 33951, 35231, 36127, 37247, 42591])
    }

    @Test func adwinClock1MatchesRiver() {
        var adwin = AdaptiveWindowing(delta: 0.002, clock: 1)
        let found = adwin.detections(in: DriftFixtures.numericDrift)
        #expect(found == [10009, 17529, 25100, 33203, 34038, 35381, 36192, 37226, 42586])
    }

    @Test func pageHinkleyDefaultsMatchRiver() {
        var detector = PageHinkley()
        let found = detector.detections(in: DriftFixtures.numericDrift)
        #expect(found.count == 57)
        #expect(
            found == [
                639, 1314, 2933, 4487, 5708, 6192, 7177, 8087, 9470, 10012, 11944, 12241, 14143,
                16690, 17508, 18369, 20560, 20927, 22216, 22758, 25086, 26214, 27507, 28450, 29054,
                31552, 32881, 33530, 34126, 34798, 35387, 35707, 36196, 36975, 37700, 38556, 40499,
                42766, 43017, 43158, 43574, 43887, 44357, 45065, 45713, 46311, 46713, 47043, 47346,
                47679, 47910, 48372, 48497, 48729, 49239, 49467, 49752,
            ])
    }
}
