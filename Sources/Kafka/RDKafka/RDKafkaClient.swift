import CRdKafka

/// Owns one `rd_kafka_t` handle and destroys it when the last reference goes.
///
/// `@unchecked Sendable` is safe: librdkafka's handle is thread-safe for every call this module
/// makes on it, and the handle is destroyed only in `deinit`, when no thread can still use it
/// (every poller holds a strong reference for the duration of its call).
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    /// The object behind the conf opaque pointer, kept alive as long as the handle.
    private let callbackState: AnyObject?

    init(handle: OpaquePointer, callbackState: AnyObject? = nil) {
        self.handle = handle
        self.callbackState = callbackState
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The client's name as librdkafka assigned it (e.g. "rdkafka#producer-1").
    var name: String { String(cString: rd_kafka_name(handle)) }

    /// The fatal error raised on this handle, if any (idempotent/transactional producers).
    func fatalError(operation: String) -> KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var error = KafkaError(err, operation: operation, detail: cString(buffer))
        error.isFatal = true
        return error
    }

    /// Cluster metadata (blocking up to `timeoutMilliseconds`).
    func metadata(timeoutMilliseconds: Int32) throws(KafkaError) -> KafkaClusterMetadata {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        try KafkaError.check(
            rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds), "metadata")
        guard let metadata else {
            throw KafkaError.client("no metadata returned", operation: "metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let md = metadata.pointee
        var brokers: [KafkaBrokerMetadata] = []
        for index in 0..<Int(md.broker_cnt) {
            let broker = md.brokers[index]
            brokers.append(
                KafkaBrokerMetadata(id: broker.id, host: String(cString: broker.host), port: Int(broker.port)))
        }
        var topics: [KafkaTopicMetadata] = []
        for index in 0..<Int(md.topic_cnt) {
            let topic = md.topics[index]
            var partitions: [KafkaPartitionMetadata] = []
            for p in 0..<Int(topic.partition_cnt) {
                let partition = topic.partitions[p]
                partitions.append(
                    KafkaPartitionMetadata(
                        id: partition.id, leader: partition.leader,
                        replicas: (0..<Int(partition.replica_cnt)).map { partition.replicas[$0] },
                        inSyncReplicas: (0..<Int(partition.isr_cnt)).map { partition.isrs[$0] }))
            }
            let name = String(cString: topic.topic)
            topics.append(
                KafkaTopicMetadata(
                    name: name, partitions: partitions.sorted { $0.id < $1.id },
                    error: topic.err == RD_KAFKA_RESP_ERR_NO_ERROR
                        ? nil : KafkaError(topic.err, operation: "metadata for \(name)")))
        }
        return KafkaClusterMetadata(
            brokers: brokers.sorted { $0.id < $1.id },
            topics: topics.sorted { $0.name < $1.name })
    }

    /// Low and high watermarks from the broker (blocking).
    func queryWatermarks(
        _ partition: KafkaTopicPartition, timeoutMilliseconds: Int32
    ) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(
                handle, partition.topic, partition.partition, &low, &high, timeoutMilliseconds),
            "query watermarks of \(partition)")
        return (low, high)
    }
}
