import Pipeline

/// Decides when `driftline up --until-idle` is done: the feed is delivered, every stage owns
/// its partitions and has read each to its end (lag 0), nothing is in flight, and no counter or
/// topic has moved for `quiet`.
struct IdleTracker {
    let quiet: Duration
    private var lastFingerprint: [Int] = []
    private var quietSince = ContinuousClock.now

    init(quiet: Duration) {
        self.quiet = quiet
    }

    mutating func isIdle(feedDone: Bool, statistics: [StageStatistics], snapshot: PipelineWatcher.Snapshot) -> Bool {
        var fingerprint = [snapshot.modelRecords, snapshot.alerts.count, snapshot.deadLetters, Int(snapshot.predictions)]
        for stage in statistics {
            fingerprint += [stage.recordsIn, stage.recordsOut, stage.delivered, stage.inFlight]
        }
        let now = ContinuousClock.now
        if fingerprint != lastFingerprint {
            lastFingerprint = fingerprint
            quietSince = now
            return false
        }
        guard feedDone else { return false }
        for stage in statistics {
            guard !stage.partitions.isEmpty, stage.inFlight == 0 else { return false }
            for partition in stage.partitions {
                guard let lag = partition.lag, lag == 0 else { return false }
            }
        }
        return quietSince.duration(to: now) >= quiet
    }
}
