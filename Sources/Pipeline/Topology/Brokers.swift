/// Where a topology's Kafka cluster is.
///
/// In a file: `brokers: embedded` (the default) or a comma-separated bootstrap list such as
/// `brokers: "kafka-1:9092,kafka-2:9092"`.
public enum Brokers: Sendable, Equatable {
    /// librdkafka's mock cluster, hosted in-process (`driftline broker`, `driftline up`).
    case embedded
    /// A real cluster: `host:port` bootstrap addresses, in the order given.
    case bootstrap([String])

    /// The `bootstrap.servers` value, or `nil` for the embedded broker.
    public var bootstrapServers: String? {
        switch self {
        case .embedded: return nil
        case .bootstrap(let addresses): return addresses.joined(separator: ",")
        }
    }
}
