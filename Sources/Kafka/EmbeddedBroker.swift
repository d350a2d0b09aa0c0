import CRdKafka
import Synchronization

/// A Kafka cluster in this process: librdkafka's mock cluster, speaking the real wire protocol
/// on loopback, in memory. Other processes (kcat, other stages) connect to `bootstrapServers`.
///
/// Known limits (librdkafka's mock, measured): no Admin CreateTopics (use `createTopic`), no
/// topic configs or compaction, offsets sent with `sendOffsetsToTransaction` are not stored,
/// read_committed does not hide open or aborted transactions, and each partition keeps only
/// 5 MiB or 100k batches (the oldest are dropped silently).
///
/// Ports: each mock broker listens on an ephemeral port chosen by the OS (librdkafka 2.0.2's
/// mock cannot be told a port). For a well-known address pass `bootstrapPort`: a relay on that
/// port forwards bootstrap connections to broker 1, whose metadata then points clients at the
/// real ports. Either way, print `bootstrapServers` for other processes.
public final class EmbeddedBroker: Sendable {
    /// The hosting handle and the cluster; nil after `shutdown`.
    private struct State: @unchecked Sendable {
        // @unchecked: both pointers are used only under the mutex, and librdkafka's mock calls
        // are thread-safe (they post to the mock cluster's own thread).
        var handle: OpaquePointer
        var cluster: OpaquePointer
    }

    private let state: Mutex<State?>
    private let forwarder: LoopbackForwarder?
    /// What clients should use: the fixed `bootstrapPort` address first when one was given,
    /// then `brokerAddresses`.
    public let bootstrapServers: String
    /// The brokers' real addresses, "127.0.0.1:PORT,..." (ephemeral ports, one per broker).
    public let brokerAddresses: String
    /// The fixed bootstrap port, when one was requested.
    public let bootstrapPort: Int?
    /// Number of brokers; their ids are 1...brokerCount.
    public let brokerCount: Int

    /// Starts `brokers` mock brokers (ids 1...brokers).
    /// - Parameter bootstrapPort: also accept bootstrap connections on 127.0.0.1:`bootstrapPort`
    ///   (relayed to broker 1). Throws when the port is taken.
    public init(brokers: Int = 1, bootstrapPort: Int? = nil) throws {
        // The mock sets up the connections it accepts with its hosting handle's socket settings.
        // With Nagle on (librdkafka 2.0.2's default; 2.16 turns it off), a small
        // response can wait for the client's delayed ACK, ~40 ms on Linux: 2.0.2's latency p99
        // had stalls of 50–60 ms (docs/operations.md, "Measuring the pipeline").
        let conf = try RDKafkaConfig.make(
            ["client.id": "driftline-embedded-broker", "log_level": "4", "socket.nagle.disable": "true"],
            operation: "start embedded broker")
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_PRODUCER, conf: conf, operation: "start embedded broker")
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError.client("rd_kafka_mock_cluster_new failed", operation: "start embedded broker")
        }
        let addresses = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        brokerAddresses = addresses
        brokerCount = brokers
        self.bootstrapPort = bootstrapPort
        state = Mutex(State(handle: handle, cluster: cluster))
        if let bootstrapPort {
            do {
                let first = addresses.split(separator: ",").first ?? ""
                guard let targetPort = first.split(separator: ":").last.flatMap({ Int($0) }) else {
                    throw KafkaError.client("unexpected mock address \(addresses)", operation: "start embedded broker")
                }
                forwarder = try LoopbackForwarder(port: bootstrapPort, targetPort: targetPort)
            } catch {
                rd_kafka_mock_cluster_destroy(cluster)
                rd_kafka_destroy(handle)
                throw error
            }
            bootstrapServers = "127.0.0.1:\(bootstrapPort),\(addresses)"
        } else {
            forwarder = nil
            bootstrapServers = addresses
        }
    }

    deinit {
        shutdown()
    }

    /// Creates a topic with `partitions` partitions. Producing to an unknown topic also
    /// creates it, with 4 partitions.
    public func createTopic(_ name: String, partitions: Int = 4, replicationFactor: Int = 1) throws(KafkaError) {
        try withCluster("create topic \(name)") { cluster throws(KafkaError) in
            try KafkaError.check(
                rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)),
                "create topic \(name)")
        }
    }

    /// Creates `topics` with their partition counts. The mock keeps no topic configs, so
    /// `configs` (compaction, record size) are not applied.
    public func createTopics(_ topics: [KafkaNewTopic]) throws(KafkaError) {
        for topic in topics {
            try createTopic(topic.name, partitions: Int(topic.partitions))
        }
    }

    /// Takes broker `id` down: its connections close and new ones are refused.
    public func setBrokerDown(_ id: Int32) throws(KafkaError) {
        try withCluster("set broker \(id) down") { cluster throws(KafkaError) in
            try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, id), "set broker \(id) down")
        }
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int32) throws(KafkaError) {
        try withCluster("set broker \(id) up") { cluster throws(KafkaError) in
            try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, id), "set broker \(id) up")
        }
    }

    /// Makes broker `id` the leader of `topic`'s `partition`.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws(KafkaError) {
        try withCluster("set leader") { cluster throws(KafkaError) in
            try KafkaError.check(
                rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID), "set leader")
        }
    }

    /// Whether `shutdown` has not been called yet.
    public var isRunning: Bool { state.withLock { $0 != nil } }

    /// Stops the brokers and frees their memory. Clients still connected see the brokers go
    /// away. Safe to call twice.
    public func shutdown() {
        forwarder?.stop()
        guard let current = state.withLock({ state -> State? in
            defer { state = nil }
            return state
        }) else { return }
        rd_kafka_mock_cluster_destroy(current.cluster)
        rd_kafka_destroy(current.handle)
    }

    private func withCluster(
        _ operation: String, _ body: (OpaquePointer) throws(KafkaError) -> Void
    ) throws(KafkaError) {
        let result: Result<Void, KafkaError> = state.withLock { state in
            guard let state else {
                return .failure(KafkaError.client("the embedded broker was shut down", operation: operation))
            }
            do throws(KafkaError) {
                try body(state.cluster)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }
}
