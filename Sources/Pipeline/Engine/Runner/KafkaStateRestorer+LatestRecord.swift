import Kafka

extension KafkaStateRestorer {
    /// The last record with `key`, read from the tail of the one partition the key lives in.
    ///
    /// Restoring a task needs only the latest model document of its key, but the models topic
    /// holds every version of every key — with 1M-weight models, tens of MB each. The writer
    /// (the learner) produces with librdkafka's default partitioner, which puts a key in
    /// partition CRC-32(key) mod N; that partition is read backwards in growing windows from
    /// its end until the key shows up. Falls back to reading the whole topic (the protocol's
    /// default) when the key is not there — a repartitioned topic, a custom `partitioner`, or no
    /// record for the key at all — and uses the cached topic while ``isCaching`` has one.
    public func latestRecord(in topic: String, key: [UInt8]) throws -> KafkaConsumerRecord? {
        if let cached = cachedRecords(in: topic) { return Self.latest(in: cached, key: key) }
        let partitioner = configuration.properties["partitioner"]
        guard !key.isEmpty, partitioner == nil || partitioner == "consistent_random" || partitioner == "consistent" else {
            return Self.latest(in: try records(in: topic), key: key)
        }
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        guard let metadata = try consumer.metadata(timeout: timeout).topic(topic), metadata.error == nil,
              !metadata.partitions.isEmpty
        else {
            return nil
        }
        let partition = Int32(truncatingIfNeeded: UInt64(CRC32.checksum(key)) % UInt64(metadata.partitions.count))
        let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
        let marks = try consumer.watermarks(topicPartition, timeout: timeout)
        var end = marks.high
        var window: Int64 = 4  // a transaction's commit marker takes an offset too
        while end > marks.low {
            let start = max(marks.low, end - window)
            let records = try read(topicPartition, from: start, to: end, with: consumer, isTail: end == marks.high)
            if let found = records.last(where: { $0.key == key }) { return found }
            end = start
            window *= 4
        }
        return Self.latest(in: try records(in: topic), key: key)
    }

    /// The records of one partition in `[start, end)` — and, for the tail, whatever arrived in
    /// the same fetch past `end` (brokers that under-report the high mark).
    private func read(
        _ partition: KafkaTopicPartition, from start: Int64, to end: Int64, with consumer: KafkaConsumer, isTail: Bool
    ) throws -> [KafkaConsumerRecord] {
        try consumer.assign([KafkaTopicPartitionOffset(partition, offset: KafkaOffset(start))])
        var records: [KafkaConsumerRecord] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            guard ContinuousClock.now < deadline else { throw StageRestoreTimeout(topic: partition.topic, unfinished: [partition]) }
            for record in try consumer.poll(maxRecords: 10_000, timeout: .milliseconds(100)) where record.offset >= start {
                if record.offset < end || isTail { records.append(record) }
            }
            if let last = records.last, last.offset >= end - 1 { break }
            // Transaction markers and compaction leave offsets without records.
            if let position = try consumer.position([partition]).first?.offset, position.isConcrete,
               position.rawValue >= end
            {
                break
            }
        }
        if isTail {
            records += try consumer.poll(maxRecords: 10_000, timeout: .milliseconds(10)).filter { $0.offset >= end }
        }
        return records
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib and librdkafka's `rd_crc32`): what librdkafka's
/// default `consistent_random` partitioner hashes a key with.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
