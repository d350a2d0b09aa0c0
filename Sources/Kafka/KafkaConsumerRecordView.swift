import CRdKafka

/// A consumed record lent by librdkafka without copying: `key` and `value` point into
/// librdkafka's fetch buffer. Valid only inside the body of `KafkaConsumer.poll(maxRecords:
/// timeout:_:)` that hands it out; call `record` to keep a copy.
///
/// This is the fast read path: no allocation per record (a `KafkaConsumerRecord` costs two,
/// for key and value), for stages that decode the payload in place.
public struct KafkaConsumerRecordView {
    let message: UnsafeMutablePointer<rd_kafka_message_t>

    public var partition: Int32 { message.pointee.partition }
    public var offset: Int64 { message.pointee.offset }

    /// Identifies the record's topic within its consumer without building the name: equal
    /// for every record of one topic (compare it to tell consecutive records' topics apart).
    public var topicHandle: OpaquePointer? { message.pointee.rkt }

    /// The topic's name (built on each call: read it once per batch if needed).
    public var topic: String { message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "" }

    /// The key bytes, nil when the record has no key.
    public var key: UnsafeRawBufferPointer? {
        message.pointee.key.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len) }
    }

    /// The value bytes, nil for a tombstone.
    public var value: UnsafeRawBufferPointer? {
        message.pointee.payload.map { UnsafeRawBufferPointer(start: $0, count: message.pointee.len) }
    }

    /// Key and value bytes (what librdkafka's prefetch bound counts, roughly).
    public var byteCount: Int { message.pointee.len + message.pointee.key_len }

    /// Milliseconds since the Unix epoch, nil when not available.
    public var timestampMilliseconds: Int64? {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        return timestamp >= 0 ? timestamp : nil
    }

    /// The headers, copied.
    public var headers: [KafkaHeader] {
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(
                KafkaHeader(
                    name: name.map { String(cString: $0) } ?? "",
                    value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
        return headers
    }

    /// An owned copy of the record.
    public var record: KafkaConsumerRecord {
        KafkaConsumerRecord(
            topic: topic, partition: partition, offset: offset, key: key.map { Array($0) },
            value: value.map { Array($0) } ?? [], isTombstone: message.pointee.payload == nil,
            headers: headers, timestampMilliseconds: timestampMilliseconds)
    }
}

extension KafkaConsumer {
    /// Up to `maxRecords` records lent to `body` one by one, without copying them: waits up to
    /// `timeout` for the first, then takes whatever else is already fetched. Blocks the
    /// calling thread; serves rebalance callbacks. Error events are handled as in
    /// `poll(maxRecords:timeout:)` (kept in `lastError`, fatal ones thrown).
    ///
    /// - Returns: the number of records passed to `body`.
    public func poll(
        maxRecords: Int = 10_000, timeout: Duration,
        _ body: (KafkaConsumerRecordView) throws(KafkaError) -> Void
    ) throws(KafkaError) -> Int {
        guard !isClosed, maxRecords > 0 else { return 0 }
        guard let first = rd_kafka_consumer_poll(client.handle, timeout.kafkaMilliseconds) else { return 0 }
        var lent = 0
        do {
            defer { rd_kafka_message_destroy(first) }
            if try lend(first, body) { lent += 1 }
        }
        guard maxRecords > 1, let queue = rd_kafka_queue_get_consumer(client.handle) else { return lent }
        defer { rd_kafka_queue_destroy(queue) }
        let capacity = min(maxRecords - 1, 4096)
        return try withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: capacity
        ) { (buffer) throws(KafkaError) -> Int in
            var remaining = maxRecords - 1
            while remaining > 0 {
                let wanted = min(remaining, capacity)
                let count = rd_kafka_consume_batch_queue(queue, 0, buffer.baseAddress, wanted)
                if count <= 0 { break }
                var index = 0
                defer { while index < count { rd_kafka_message_destroy(buffer[index]!); index += 1 } }
                while index < count {
                    let message = buffer[index]!
                    index += 1
                    defer { rd_kafka_message_destroy(message) }
                    if try lend(message, body) { lent += 1 }
                }
                remaining -= count
                if count < wanted { break }
            }
            return lent
        }
    }

    /// Passes a record to `body`, or handles an error event. Returns whether it was a record.
    private func lend(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>,
        _ body: (KafkaConsumerRecordView) throws(KafkaError) -> Void
    ) throws(KafkaError) -> Bool {
        let err = message.pointee.err
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return false }
            var error = KafkaError(err, operation: "consume", detail: rd_kafka_message_errstr(message).map { String(cString: $0) })
            if err == RD_KAFKA_RESP_ERR__FATAL {
                error.isFatal = true
                throw client.fatalError(operation: "consume") ?? error
            }
            callbacks.lastError.withLock { $0 = error }
            return false
        }
        try body(KafkaConsumerRecordView(message: message))
        return true
    }
}
