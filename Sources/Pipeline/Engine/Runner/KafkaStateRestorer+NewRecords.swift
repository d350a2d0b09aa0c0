import Kafka

extension KafkaStateRestorer {
    /// Reads only what lies past `next` in each partition: one metadata and watermark query
    /// when nothing is new (no settle wait), so a task may ask often (e.g. the learner
    /// following the drift alerts once per second).
    public func records(in topic: String, after next: [Int32: Int64]) throws -> [KafkaConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        guard let metadata = try consumer.metadata(timeout: timeout).topic(topic), metadata.error == nil else {
            return []
        }
        var ends: [KafkaTopicPartition: Int64] = [:]
        var starts: [KafkaTopicPartitionOffset] = []
        for partition in metadata.partitions.map(\.id).sorted() {
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
            let marks = try consumer.watermarks(topicPartition, timeout: timeout)
            let start = max(marks.low, next[partition, default: 0])
            guard marks.high > start else { continue }
            ends[topicPartition] = marks.high
            starts.append(KafkaTopicPartitionOffset(topicPartition, offset: KafkaOffset(start)))
        }
        guard !starts.isEmpty else { return [] }
        try consumer.assign(starts)
        var byPartition: [KafkaTopicPartition: [KafkaConsumerRecord]] = [:]
        var unfinished = Set(ends.keys)
        let deadline = ContinuousClock.now + timeout
        while !unfinished.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw StageRestoreTimeout(topic: topic, unfinished: unfinished.sorted())
            }
            for record in try consumer.poll(maxRecords: 10_000, timeout: .milliseconds(100)) {
                byPartition[record.topicPartition, default: []].append(record)
                if record.offset >= (ends[record.topicPartition] ?? 0) - 1 { unfinished.remove(record.topicPartition) }
            }
            for position in try consumer.position(unfinished.sorted())
            where position.offset.isConcrete && position.offset.rawValue >= ends[position.topicPartition] ?? 0 {
                unfinished.remove(position.topicPartition)
            }
        }
        // As in `records(in:)`: brokers that under-report the high mark get a settle read.
        while ContinuousClock.now < deadline {
            let more = try consumer.poll(maxRecords: 10_000, timeout: settleTime)
            if more.isEmpty { break }
            for record in more { byPartition[record.topicPartition, default: []].append(record) }
        }
        return byPartition.keys.sorted().flatMap { byPartition[$0]! }
    }
}
