import Kafka

/// How a ``StageRunner`` runs one stage over Kafka.
public struct StageRunnerConfiguration: Sendable {
    /// The stage name: the `driftline.stage` header of its dead letters and its statistics.
    public var stage: String
    /// The topics the stage reads; each partition becomes a task.
    public var inputTopics: [String]
    /// Where output roles go, including the dead-letter topic.
    public var topics: StageTopics
    /// The group member's settings (group id, timeouts). Auto commit is always off.
    public var consumer: KafkaConsumerConfiguration
    /// The producer's settings for outputs and dead letters.
    public var producer: KafkaProducerConfiguration
    /// The most records taken from one poll.
    public var maxBatchSize: Int = 1000
    /// Outputs produced but not yet delivered above which the runner pauses its partitions;
    /// it resumes them below half of it.
    public var maxInFlightOutputs: Int = 100_000
    /// How often delivered input offsets are committed (also on revocation and shutdown).
    public var commitInterval: Duration = .seconds(1)
    /// The longest single wait for records; also the resolution of wall-clock punctuations.
    public var pollTimeout: Duration = .milliseconds(100)
    /// How long revocation and shutdown wait for outputs to be delivered.
    public var flushTimeout: Duration = .seconds(30)
    /// How long restoring may spend reading a topic.
    public var restoreTimeout: Duration = .seconds(60)
    /// How often lag is asked from the broker for ``StageStatistics``.
    public var lagRefreshInterval: Duration = .seconds(5)
    /// At-least-once (commit delivered offsets) or exactly-once (one transactional producer
    /// per task; outputs and input offsets commit together every `commitInterval`). See
    /// docs/guarantees.md.
    public var guarantee: ProcessingGuarantee = .atLeastOnce
    /// Exactly-once: task producers use `PREFIX-TOPIC-PARTITION` as `transactional.id`.
    public var transactionalIDPrefix: String

    public init(
        stage: String, inputTopics: [String], topics: StageTopics,
        consumer: KafkaConsumerConfiguration, producer: KafkaProducerConfiguration
    ) {
        self.stage = stage
        self.inputTopics = inputTopics
        self.topics = topics
        self.consumer = consumer
        self.producer = producer
        transactionalIDPrefix = "driftline-\(stage)"
    }

    /// Default clients for `bootstrapServers`; the group is `groupID` (default
    /// `driftline.STAGE`).
    public init(
        stage: String, inputTopics: [String], topics: StageTopics, bootstrapServers: String,
        groupID: String? = nil
    ) {
        self.init(
            stage: stage, inputTopics: inputTopics, topics: topics,
            consumer: KafkaConsumerConfiguration(
                bootstrapServers: bootstrapServers, groupID: groupID ?? "driftline.\(stage)"),
            producer: KafkaProducerConfiguration(bootstrapServers: bootstrapServers))
    }

    /// librdkafka settings the runner's consumer gets under `consumer.properties`: any key
    /// set there (e.g. from a topology's `kafka:` section) wins. Fetches of at most 4 MB
    /// (librdkafka: 50 MB). The prefetch queue (`queued.max.messages.kbytes`, librdkafka: 64 MB)
    /// is bounded to 4 MB here only where librdkafka has `fetch.queue.backoff.ms` (2.3 and
    /// later): older versions stop fetching for up to a second whenever the queue is full, which
    /// starved stages to a few MB/s (docs/operations.md, "Stage client defaults"); there only
    /// ``runnerConsumer`` bounds it, since the runner wakes its fetchers (``wakesFetchers``). A fetch
    /// waits at most 100 ms for data (librdkafka: 500 ms): brokers that hold a fetch for its
    /// whole wait (Tansu, the embedded broker) otherwise add up to half a second to every
    /// restore and every idle-to-busy transition.
    public static var stageConsumerProperties: [String: String] {
        var properties = [
            "fetch.max.bytes": "4194304",
            "max.partition.fetch.bytes": "1048576",
            "fetch.wait.max.ms": "100",
        ]
        if Librdkafka.isAtLeast(major: 2, minor: 3) {
            properties["queued.max.messages.kbytes"] = "4096"
            properties["fetch.queue.backoff.ms"] = "10"
        } else {
            properties["queued.max.messages.kbytes"] = String(legacyQueuedKilobytes)
        }
        return properties
    }

    /// The prefetch bound on librdkafka before 2.3 where nothing wakes the fetchers (state
    /// restore and following; see ``stageConsumerProperties``).
    static let legacyQueuedKilobytes = 65536

    /// Whether the runner wakes its consumer's fetchers itself once a backlog is drained
    /// (``KafkaFetchWaker``): librdkafka before 2.3, which otherwise leaves a partition whose
    /// prefetch queue was full unfetched for up to a second.
    public static var wakesFetchers: Bool { !Librdkafka.isAtLeast(major: 2, minor: 3) }

    /// The runner consumer's prefetch bound where it wakes its fetchers (``wakesFetchers``),
    /// instead of ``legacyQueuedKilobytes``.
    static let wokenQueuedKilobytes = 4096

    /// The runner consumer's fetch size where it wakes its fetchers (``wakesFetchers``): half
    /// the 4 MB of ``stageConsumerProperties``. The runner wakes them each half prefetch bound
    /// taken (``FetchWakePolicy``), so the next response arrives while the last one is still
    /// being read; two responses of half the size alive at once (with 4 MB ones the learner's
    /// RSS peak rose ~1.6 MB, with 2 MB ones ~1.3 MB: docs/operations.md).
    static let wokenFetchBytes = 2_097_152

    /// The runner consumer's prefetch bound (`queued.max.messages.kbytes`) in place of the 4 MB
    /// default, unless `consumer.properties` sets one; nil keeps the default. A stage that
    /// spends microseconds per record covers a fetch round trip with far fewer bytes queued
    /// than a forwarding stage does (docs/operations.md, "Stage client defaults"). State
    /// restore reads keep `consumer` as configured.
    public var prefetchKilobytes: Int?

    /// The producer's local queue (`queue.buffering.max.kbytes`) the runner uses unless
    /// `producer.properties` or a changed `producer.queueBufferingMaxKilobytes` says otherwise:
    /// 16 MB of outputs before `enqueue` waits, instead of the producer configuration's 1 GB.
    public static let stageProducerQueueKilobytes = 16_384

    /// The consumer the runner creates for its input: `consumer` with
    /// ``stageConsumerProperties`` under its own properties, and before librdkafka 2.3 a
    /// ``wokenQueuedKilobytes`` prefetch bound. (State restore reads use `consumer` as
    /// configured.)
    public var runnerConsumer: KafkaConsumerConfiguration {
        var effective = consumer
        var defaults = Self.stageConsumerProperties
        if Self.wakesFetchers {
            defaults["queued.max.messages.kbytes"] = String(Self.wokenQueuedKilobytes)
            defaults["fetch.max.bytes"] = String(Self.wokenFetchBytes)
        }
        if let prefetchKilobytes { defaults["queued.max.messages.kbytes"] = String(prefetchKilobytes) }
        effective.properties.merge(defaults) { configured, _ in configured }
        return effective
    }

    /// The producer the runner creates for its outputs: `producer` with a 16 MB queue unless
    /// it sets one (see ``stageProducerQueueKilobytes``).
    public var runnerProducer: KafkaProducerConfiguration {
        var effective = producer
        let untouched = KafkaProducerConfiguration(bootstrapServers: producer.bootstrapServers).queueBufferingMaxKilobytes
        if effective.properties["queue.buffering.max.kbytes"] == nil && effective.queueBufferingMaxKilobytes == untouched {
            effective.queueBufferingMaxKilobytes = Self.stageProducerQueueKilobytes
        }
        return effective
    }
}
