import Kafka

/// A snapshot of one runner's counters, read with ``StageRunner/statistics`` (cheap: a copy
/// taken under a lock, refreshed after every batch). Counts are totals since the runner
/// started; an exporter turns them into Prometheus counters and gauges.
public struct StageStatistics: Sendable, Hashable {
    /// Per input partition owned by the runner.
    public struct Partition: Sendable, Hashable {
        public var topicPartition: KafkaTopicPartition
        /// The offset after the last input handled; nil before any.
        public var nextOffset: Int64?
        /// The last offset committed by this runner; nil before the first commit.
        public var committedOffset: Int64?
        /// Records behind the partition's end, as of the last lag refresh; nil when unknown.
        public var lag: Int64?
    }

    public var stage: String
    /// Input records handled (processed plus dead-lettered).
    public var recordsIn = 0
    /// Records forwarded by the stage and produced (dead letters not included).
    public var recordsOut = 0
    /// Input records sent to the dead-letter topic.
    public var deadLettered = 0
    /// Outputs confirmed by the broker.
    public var delivered = 0
    /// Outputs the broker did not take (the runner stops on the first).
    public var deliveryFailures = 0
    /// Outputs produced and not yet confirmed.
    public var inFlight = 0
    /// Assignments received (each one restores tasks).
    public var rebalances = 0
    /// Offset commits that succeeded / failed (failures are retried at the next interval).
    public var commits = 0
    public var commitFailures = 0
    /// Whether the runner paused its partitions for backpressure.
    public var isPaused = false
    /// How many times it paused them.
    public var pauses = 0
    /// Exactly-once: inputs re-processed after a restore to rebuild state, outputs dropped.
    public var caughtUp = 0
    /// The latest restore: time from assignment to the first record processed past the
    /// catch-up, and its partition.
    public var lastRestore: Duration?
    public var lastRestorePartition: KafkaTopicPartition?
    /// Owned partitions, sorted.
    public var partitions: [Partition] = []
    /// Time to process one input record (the stage's `process` plus stream-time punctuations),
    /// sampled: one input in ``processingLatencySampling`` is timed (the first, the 17th, …
    /// of the runner's inputs), so `count` is the number of timed inputs, not of inputs
    /// (that is `recordsIn`). Reading the clock around every record cost ~6% of a no-op
    /// stage's thread; a uniform one-in-16 sample keeps the distribution's shape.
    public var processingLatency = LatencyHistogram()
    /// Set once `run` returned.
    public var stopped = false
    /// Why `run` failed; nil while running and after a graceful shutdown.
    public var failure: String?

    /// One input in this many is timed into ``processingLatency``.
    public static let processingLatencySampling = 16

    public init(stage: String) {
        self.stage = stage
    }

    /// The sum of known partition lags.
    public var totalLag: Int64 { partitions.compactMap(\.lag).reduce(0, +) }
}
