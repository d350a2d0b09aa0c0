import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` and converts it to and from Swift values.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    private let owned: Bool

    init(capacity: Int = 0) {
        pointer = rd_kafka_topic_partition_list_new(Int32(capacity))
        owned = true
    }

    /// Wraps a list librdkafka owns (e.g. the one passed to the rebalance callback).
    init(borrowing pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = false
    }

    /// Takes ownership of a list librdkafka handed over (e.g. from `rd_kafka_assignment`).
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = true
    }

    convenience init(_ offsets: [KafkaTopicPartitionOffset]) {
        self.init(capacity: offsets.count)
        for item in offsets { add(item.topicPartition, offset: item.offset.rawValue) }
    }

    convenience init(_ partitions: [KafkaTopicPartition], offset: KafkaOffset = .invalid) {
        self.init(capacity: partitions.count)
        for item in partitions { add(item, offset: offset.rawValue) }
    }

    deinit {
        if owned { rd_kafka_topic_partition_list_destroy(pointer) }
    }

    func add(_ partition: KafkaTopicPartition, offset: Int64) {
        let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
        element.pointee.offset = offset
    }

    var count: Int { Int(pointer.pointee.cnt) }

    /// The entries in list order, with per-partition errors kept.
    var offsets: [KafkaTopicPartitionOffset] {
        var result: [KafkaTopicPartitionOffset] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let element = pointer.pointee.elems[index]
            let error: KafkaError? =
                element.err == RD_KAFKA_RESP_ERR_NO_ERROR
                ? nil : KafkaError(element.err, operation: "partition \(String(cString: element.topic))")
            result.append(
                KafkaTopicPartitionOffset(
                    KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                    offset: KafkaOffset(element.offset), error: error))
        }
        return result
    }

    var partitions: [KafkaTopicPartition] { offsets.map(\.topicPartition) }
}
