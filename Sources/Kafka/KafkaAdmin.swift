import CRdKafka

/// Cluster administration: create and delete topics, read metadata. Every call blocks its
/// thread up to the timeout; the async overloads run it on a Dispatch thread.
///
/// The embedded broker (librdkafka's mock cluster) does not implement CreateTopics: use
/// `EmbeddedBroker.createTopic` there (or let topics be auto-created with 4 partitions).
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient

    /// - Parameter properties: extra librdkafka properties (SASL, TLS, ...).
    public init(bootstrapServers: String, properties: [String: String] = [:]) throws {
        var all = ["bootstrap.servers": bootstrapServers, "client.id": "driftline-admin"]
        all.merge(properties) { _, custom in custom }
        let conf = try RDKafkaConfig.make(all, operation: "create admin client")
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_PRODUCER, conf: conf, operation: "create admin client")
        client = RDKafkaClient(handle: handle)
    }

    /// Brokers and topics of the cluster.
    public func metadata(timeout: Duration = .seconds(10)) throws(KafkaError) -> KafkaClusterMetadata {
        try client.metadata(timeoutMilliseconds: timeout.kafkaMilliseconds)
    }

    /// `metadata` without blocking the cooperative pool.
    public func metadata(timeout: Duration = .seconds(10)) async throws -> KafkaClusterMetadata {
        try await runBlocking { [self] in try self.metadata(timeout: timeout) }
    }

    /// Names of the topics in the cluster, sorted (internal `__` topics left out).
    public func listTopics(timeout: Duration = .seconds(10)) throws(KafkaError) -> [String] {
        try metadata(timeout: timeout).topics.map(\.name).filter { !$0.hasPrefix("__") }
    }

    /// Creates topics and waits for the broker's answer.
    /// - Parameter ifNotExists: a topic that already exists is not an error.
    /// - Throws: the first per-topic error (in the order given).
    public func createTopics(
        _ topics: [KafkaNewTopic], ifNotExists: Bool = true, timeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        guard !topics.isEmpty else { return }
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        var errstr = [CChar](repeating: 0, count: 512)
        for topic in topics {
            guard
                let newTopic = rd_kafka_NewTopic_new(
                    topic.name, topic.partitions, Int32(topic.replicationFactor), &errstr, errstr.count)
            else {
                throw KafkaError.client(cString(errstr), operation: "create topic \(topic.name)")
            }
            newTopics.append(newTopic)
            for key in topic.configs.keys.sorted() {
                try KafkaError.check(
                    rd_kafka_NewTopic_set_config(newTopic, key, topic.configs[key]!),
                    "set config \(key) of \(topic.name)")
            }
        }
        let results = try runAdmin(RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, "createTopics") {
            options, queue in
            rd_kafka_CreateTopics(client.handle, &newTopics, newTopics.count, options, queue)
        } results: { event in
            var count = 0
            let result = rd_kafka_event_CreateTopics_result(event)
            let array = rd_kafka_CreateTopics_result_topics(result, &count)
            return (array, count)
        }
        for (name, error) in results {
            if ifNotExists && error.code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue { continue }
            var error = error
            error.operation = "create topic \(name)"
            throw error
        }
    }

    /// `createTopics` without blocking the cooperative pool.
    public func createTopics(
        _ topics: [KafkaNewTopic], ifNotExists: Bool = true, timeout: Duration = .seconds(30)
    ) async throws {
        try await runBlocking { [self] in try self.createTopics(topics, ifNotExists: ifNotExists, timeout: timeout) }
    }

    /// Deletes topics and waits for the broker's answer.
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) throws(KafkaError) {
        guard !names.isEmpty else { return }
        var deletes: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
        defer { for delete in deletes { rd_kafka_DeleteTopic_destroy(delete) } }
        let results = try runAdmin(RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout, "deleteTopics") {
            options, queue in
            rd_kafka_DeleteTopics(client.handle, &deletes, deletes.count, options, queue)
        } results: { event in
            var count = 0
            let result = rd_kafka_event_DeleteTopics_result(event)
            let array = rd_kafka_DeleteTopics_result_topics(result, &count)
            return (array, count)
        }
        if let (name, error) = results.first {
            var error = error
            error.operation = "delete topic \(name)"
            throw error
        }
    }

    /// `deleteTopics` without blocking the cooperative pool.
    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws {
        try await runBlocking { [self] in try self.deleteTopics(names, timeout: timeout) }
    }

    /// Runs one admin request and returns the failed topics (name, error) in result order.
    private func runAdmin(
        _ op: rd_kafka_admin_op_t, timeout: Duration, _ operation: String,
        start: (OpaquePointer?, OpaquePointer?) -> Void,
        results: (OpaquePointer?) -> (UnsafeMutablePointer<OpaquePointer?>?, Int)
    ) throws(KafkaError) -> [(String, KafkaError)] {
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.kafkaMilliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.kafkaMilliseconds, &errstr, errstr.count)
        start(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout.kafkaMilliseconds + 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, operation: operation)
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                err, operation: operation, detail: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        let (array, count) = results(event)
        var failed: [(String, KafkaError)] = []
        for index in 0..<count {
            guard let topicResult = array?[index] else { continue }
            let code = rd_kafka_topic_result_error(topicResult)
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
            failed.append((name, KafkaError(code, operation: operation, detail: detail)))
        }
        return failed
    }
}
