import Foundation
import Testing

@testable import OnlineML

/// Every detector, with a stream that suits it (0/1 errors for the binary ones).
enum DetectorUnderTest: String, CaseIterable, CustomTestStringConvertible {
    case adwin, adwinClock1, pageHinkley, pageHinkleyUp, pageHinkleyDown, kswin, ddm, eddm
    case hddmA, hddmATwoSided, hddmW, hddmWTwoSided, wrappedAdwin, wrappedEddm

    var testDescription: String { rawValue }

    func make() -> any DriftDetector {
        switch self {
        case .adwin: AdaptiveWindowing()
        case .adwinClock1: AdaptiveWindowing(clock: 1)
        case .pageHinkley: PageHinkley()
        case .pageHinkleyUp: PageHinkley(mode: .up)
        case .pageHinkleyDown: PageHinkley(mode: .down)
        case .kswin: KSWIN(seed: 7)
        case .ddm: DDM()
        case .eddm: EDDM()
        case .hddmA: HDDMA()
        case .hddmATwoSided: HDDMA(twoSidedTest: true)
        case .hddmW: HDDMW()
        case .hddmWTwoSided: HDDMW(twoSidedTest: true)
        case .wrappedAdwin: AnyDriftDetector(AdaptiveWindowing())!
        case .wrappedEddm: AnyDriftDetector(EDDM())!
        }
    }

    var isBinary: Bool {
        switch self {
        case .ddm, .eddm, .hddmA, .hddmATwoSided, .hddmW, .hddmWTwoSided, .wrappedEddm: true
        default: false
        }
    }

    /// A stream with changes in it, so detections (and restarts) happen inside the checks.
    var stream: [Double] {
        if isBinary {
            return DriftFixtures.errorStream(
                count: 12_000, change: 4000, before: 0.1, after: 0.4, seed: 11)
                + DriftFixtures.errorStream(
                    count: 8000, change: 4000, before: 0.05, after: 0.5, seed: 12)
        }
        return Array(DriftFixtures.numericDrift[8000..<14000])
    }
}

/// Runs a detector over values; returns the detection positions and the evidence.
func runDetector(_ detector: inout any DriftDetector, _ values: [Double]) -> [DriftDetection] {
    var found: [DriftDetection] = []
    for value in values where detector.update(value) {
        if let detection = detector.lastDetection { found.append(detection) }
    }
    return found
}

func detectorRoundTrip<D: DriftDetector>(_ detector: D) throws -> D {
    try JSONDecoder().decode(D.self, from: try encodedState(detector))
}

/// The encoded state without the rejected-value counter, to compare runs with and without bad
/// input.
func stateIgnoringRejections(_ detector: any DriftDetector) throws -> NSDictionary {
    let object = try JSONSerialization.jsonObject(with: try encodedState(detector))
    let dictionary = (object as! NSDictionary).mutableCopy() as! NSMutableDictionary
    dictionary.removeObject(forKey: "rejectedValues")
    if let state = dictionary["state"] as? NSDictionary {  // AnyDriftDetector nests the state
        let inner = state.mutableCopy() as! NSMutableDictionary
        inner.removeObject(forKey: "rejectedValues")
        dictionary["state"] = inner
    }
    return dictionary
}

@Suite struct DriftContractTests {
    @Test(arguments: DetectorUnderTest.allCases)
    func detectsSomethingAndCarriesEvidence(_ kind: DetectorUnderTest) throws {
        var detector = kind.make()
        let detections = runDetector(&detector, kind.stream)
        #expect(!detections.isEmpty)
        for detection in detections {
            #expect(detection.detector == detector.name)
            #expect(detection.kind == .concept)
            #expect(detection.parameters == detector.parameters)
            #expect(detection.statistic.isFinite && detection.threshold.isFinite)
            #expect(!detection.windowSizes.isEmpty)
            #expect(detection.position >= 0 && detection.position < kind.stream.count)
        }
        #expect(detector.position == kind.stream.count)
    }

    @Test(arguments: DetectorUnderTest.allCases)
    func inputIsLeftUnchanged(_ kind: DetectorUnderTest) {
        let values = kind.stream
        let copy = values
        var detector = kind.make()
        _ = runDetector(&detector, values)
        #expect(values == copy)
    }

    @Test(arguments: DetectorUnderTest.allCases)
    func repeatedRunsAreBitIdentical(_ kind: DetectorUnderTest) throws {
        var first = kind.make()
        var second = kind.make()
        let a = runDetector(&first, kind.stream)
        let b = runDetector(&second, kind.stream)
        #expect(a == b)
        #expect(try encodedState(first) == encodedState(second))
    }

    @Test(arguments: DetectorUnderTest.allCases)
    func checkpointMidStreamContinuesIdentically(_ kind: DetectorUnderTest) throws {
        let values = kind.stream
        var uninterrupted = kind.make()
        let expected = runDetector(&uninterrupted, values)

        for cut in [1, 37, values.count / 3, values.count / 2 + 5] {
            var first = kind.make()
            var found = runDetector(&first, Array(values[..<cut]))
            var restored: any DriftDetector = try detectorRoundTrip(first)
            found += runDetector(&restored, Array(values[cut...]))
            #expect(found == expected, "checkpoint after \(cut) values")
            #expect(try encodedState(restored) == encodedState(uninterrupted))
        }
    }

    @Test(arguments: DetectorUnderTest.allCases)
    func resetRestoresTheFreshState(_ kind: DetectorUnderTest) throws {
        var detector = kind.make()
        _ = runDetector(&detector, kind.stream)
        detector.reset()
        #expect(try encodedState(detector) == encodedState(kind.make()))
    }

    /// The documented rule: NaN and ±∞ are refused, leave the state as it was (position does
    /// not advance) and are counted.
    @Test(arguments: DetectorUnderTest.allCases)
    func nonFiniteValuesAreRefusedWithoutEffect(_ kind: DetectorUnderTest) throws {
        let values = kind.stream
        var clean = kind.make()
        let expected = runDetector(&clean, values)

        var dirty = kind.make()
        var found: [DriftDetection] = []
        var refused = 0
        for (index, value) in values.enumerated() {
            if index % 997 == 0 {
                for bad in [Double.nan, .infinity, -.infinity] {
                    let before = try stateIgnoringRejections(dirty)
                    #expect(dirty.update(bad) == false)
                    #expect(try stateIgnoringRejections(dirty) == before)
                    refused += 1
                }
            }
            if dirty.update(value), let detection = dirty.lastDetection { found.append(detection) }
        }
        #expect(found == expected)
        #expect(dirty.rejectedValues == refused)
        #expect(try stateIgnoringRejections(dirty) == stateIgnoringRejections(clean))
    }

    @Test func boundedDetectorsRefuseValuesOutsideTheUnitInterval() {
        var detectors: [any DriftDetector] = [DDM(), EDDM(), HDDMA(), HDDMW()]
        for index in detectors.indices {
            #expect(detectors[index].update(1.5) == false)
            #expect(detectors[index].update(-0.1) == false)
            #expect(detectors[index].rejectedValues == 2)
            #expect(detectors[index].position == 0)
        }
        var eddm = EDDM()
        eddm.update(0.5)
        #expect(eddm.rejectedValues == 1, "EDDM takes exact 0/1 only")
    }

    @Test func wrapperBehavesLikeTheWrappedDetectorAndNamesItsState() throws {
        for kind in DetectorUnderTest.allCases {
            var plain = kind.make()
            var wrapped: any DriftDetector = try #require(AnyDriftDetector(plain))
            #expect(runDetector(&plain, kind.stream) == runDetector(&wrapped, kind.stream))
            let json = String(decoding: try encodedState(wrapped), as: UTF8.self)
            #expect(json.hasPrefix("{\"detector\":\"\(plain.name)\",\"state\":"))
            let decoded = try JSONDecoder().decode(AnyDriftDetector.self, from: Data(json.utf8))
            #expect(try encodedState(decoded) == encodedState(wrapped))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(
                AnyDriftDetector.self, from: Data(#"{"detector":"nope","state":{}}"#.utf8))
        }
    }

    /// Memory stays O(log W): on 1M stationary values ADWIN's window grows to ~1M values while
    /// its bucket count stays within 5 · (log2 W + 2).
    @Test func adwinMemoryIsLogarithmic() {
        var random = SeededRandom(seed: 3)
        var adwin = AdaptiveWindowing()
        var largestRatio = 0.0
        for _ in 0..<1_000_000 {
            adwin.update(random.nextGaussian())
            let bound = 5 * (Double.log2(Swift.max(adwin.width, 1)) + 2)
            largestRatio = Swift.max(largestRatio, Double(adwin.bucketCount) / bound)
        }
        #expect(largestRatio <= 1)
        #expect(adwin.width > 500_000)
        #expect(adwin.bucketCount <= 5 * (Int(Double.log2(adwin.width)) + 2))
    }
}

extension Double {
    fileprivate static func log2(_ x: Double) -> Double { Foundation.log2(x) }
}

/// Building detectors from configuration names and parameters.
@Suite struct DriftConfigurationTests {
    /// Every detector round-trips through its own name and parameters.
    @Test(arguments: DetectorUnderTest.allCases)
    func builtFromItsOwnParameters(_ kind: DetectorUnderTest) throws {
        let original = kind.make()
        let rebuilt = try AnyDriftDetector(name: original.name, parameters: original.parameters)
        #expect(rebuilt.parameters == original.parameters)
        #expect(try encodedState(rebuilt.base) == encodedState(AnyDriftDetector(original)!.base))
    }

    @Test func defaultsAndOverrides() throws {
        let adwin = try AnyDriftDetector(name: "adwin")
        #expect(adwin.parameters == AdaptiveWindowing().parameters)
        let custom = try AnyDriftDetector(
            name: "page_hinkley",
            parameters: [DriftParameter("threshold", .integer(20)), .init("mode", .text("up"))])
        #expect(custom.parameters == PageHinkley(threshold: 20, mode: .up).parameters)
    }

    @Test func badConfigurationsThrowInsteadOfCrashing() {
        let bad: [(String, [DriftParameter])] = [
            ("nope", []),
            ("adwin", [.init("delta", .number(0))]),
            ("adwin", [.init("delta", .text("small"))]),
            ("adwin", [.init("clock", .number(2.5))]),
            ("adwin", [.init("colck", .integer(2))]),
            ("adwin", [.init("clock", .integer(2)), .init("clock", .integer(3))]),
            ("page_hinkley", [.init("mode", .text("sideways"))]),
            ("kswin", [.init("stat_size", .integer(60))]),
            ("eddm", [.init("alpha", .number(0.8)), .init("beta", .number(0.9))]),
            ("hddm_w", [.init("two_sided_test", .integer(1))]),
        ]
        for (name, parameters) in bad {
            #expect(throws: DriftConfigurationError.self, "\(name) \(parameters)") {
                try AnyDriftDetector(name: name, parameters: parameters)
            }
        }
    }
}
