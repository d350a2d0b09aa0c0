import OnlineML

extension DetectorSettings {
    /// A fresh detector with these settings (the loader already checked every precondition).
    public func makeDetector() -> any DriftDetector {
        switch self {
        case let .adwin(delta, clock, maxBuckets, minWindowLength, gracePeriod):
            return AdaptiveWindowing(delta: delta, clock: clock, maxBuckets: maxBuckets,
                                     minWindowLength: minWindowLength, gracePeriod: gracePeriod)
        case let .pageHinkley(minInstances, delta, threshold, alpha, mode):
            let detectorMode: PageHinkley.Mode
            switch mode {
            case .both: detectorMode = .both
            case .up: detectorMode = .up
            case .down: detectorMode = .down
            }
            return PageHinkley(minInstances: minInstances, delta: delta, threshold: threshold, alpha: alpha,
                               mode: detectorMode)
        case let .kswin(alpha, windowSize, statSize, seed):
            return KSWIN(alpha: alpha, windowSize: windowSize, statSize: statSize, seed: UInt64(seed))
        case let .ddm(warmStart, warningThreshold, driftThreshold):
            return DDM(warmStart: warmStart, warningThreshold: warningThreshold, driftThreshold: driftThreshold)
        case let .eddm(warmStart, alpha, beta):
            return EDDM(warmStart: warmStart, alpha: alpha, beta: beta)
        case let .hddmA(driftConfidence, warningConfidence, twoSidedTest):
            return HDDMA(driftConfidence: driftConfidence, warningConfidence: warningConfidence,
                         twoSidedTest: twoSidedTest)
        case let .hddmW(driftConfidence, warningConfidence, lambda, twoSidedTest):
            return HDDMW(driftConfidence: driftConfidence, warningConfidence: warningConfidence, lambda: lambda,
                         twoSidedTest: twoSidedTest)
        }
    }
}
