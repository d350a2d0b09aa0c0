/// How a `KafkaConsumer` joins its group and fetches. Offsets are never committed behind the
/// caller's back: auto commit and auto offset store are off, so only processed records count.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where to start when the group has no committed offset for a partition.
    public enum AutoOffsetReset: String, Sendable {
        case earliest, latest, error
    }

    /// Whether records of open or aborted transactions are visible.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "read_committed"
        case readUncommitted = "read_uncommitted"
    }

    /// `bootstrap.servers`: "host:port,host:port".
    public var bootstrapServers: String
    /// `group.id`: members of one group share the partitions of their topics.
    public var groupID: String
    /// `client.id`, shown in broker logs.
    public var clientID: String = "driftline"
    /// `auto.offset.reset`.
    public var autoOffsetReset: AutoOffsetReset = .earliest
    /// `session.timeout.ms`: a member silent this long is removed from the group. Each
    /// rebalance on the embedded broker takes about this long minus a second.
    public var sessionTimeoutMilliseconds: Int = 10_000
    /// `heartbeat.interval.ms`.
    public var heartbeatIntervalMilliseconds: Int = 1_000
    /// `max.poll.interval.ms`: the most time between polls before the member leaves the group.
    public var maxPollIntervalMilliseconds: Int = 300_000
    /// `isolation.level`.
    public var isolationLevel: IsolationLevel = .readCommitted
    /// `queued.min.messages`: records prefetched per partition. High for throughput; the
    /// librdkafka default (100000) measured ~5x slower here.
    public var queuedMinMessages: Int = 1_000_000
    /// `partition.assignment.strategy`: "range,roundrobin" (eager) or "cooperative-sticky".
    public var partitionAssignmentStrategy: String = "range,roundrobin"
    /// `enable.partition.eof`: surface end-of-partition events (records are not affected).
    public var enablePartitionEOF: Bool = false
    /// Any other librdkafka property (SASL, TLS, debug, ...). Wins over the fields above.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String, groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }

    /// Lowers `fetch.wait.max.ms` to `milliseconds` when it is higher or unset (librdkafka's
    /// default is 500), keeping a lower one. For a reader that also asks its brokers questions:
    /// the embedded broker and Tansu answer an empty fetch only after its whole wait, and queue
    /// what follows on that connection behind it.
    public mutating func limitFetchWait(toMilliseconds milliseconds: Int) {
        let current = properties["fetch.wait.max.ms"].flatMap { Int($0) } ?? 500
        properties["fetch.wait.max.ms"] = String(min(current, milliseconds))
    }

    /// The librdkafka properties this configuration stands for.
    public var librdkafkaProperties: [String: String] {
        var result: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            "client.id": clientID,
            "auto.offset.reset": autoOffsetReset.rawValue,
            "session.timeout.ms": String(sessionTimeoutMilliseconds),
            "heartbeat.interval.ms": String(heartbeatIntervalMilliseconds),
            "max.poll.interval.ms": String(maxPollIntervalMilliseconds),
            "isolation.level": isolationLevel.rawValue,
            "queued.min.messages": String(queuedMinMessages),
            "partition.assignment.strategy": partitionAssignmentStrategy,
            "enable.partition.eof": enablePartitionEOF ? "true" : "false",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
        ]
        result.merge(properties) { _, custom in custom }
        return result
    }
}
