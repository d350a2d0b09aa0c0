import CRdKafka
import Dispatch
import Synchronization

/// Reads records as a member of a consumer group, committing only what the caller processed.
///
/// Polling: `records` / `batches(maxCount:)` are async sequences whose iterators poll without
/// blocking first and otherwise wait on this consumer's own dispatch queue, never on Swift's
/// cooperative pool. Callers that own a thread use `poll(maxRecords:timeout:)` directly.
///
/// Offsets: auto commit and auto store are off. Call `storeOffsets(for:)` for processed
/// records and `commit()` (stored offsets) or `commit(_:)` (explicit offsets).
///
/// Rebalances: the handler set with `onRebalance` (or at init) sees every assignment change on
/// the polling thread; the consumer performs the eager or cooperative (incremental) assign.
public final class KafkaConsumer: Sendable {
    let client: RDKafkaClient
    let callbacks: RDKafkaConsumerCallbacks
    private let closed = Atomic<Bool>(false)
    /// Serial queue for blocking polls made on behalf of async callers, and for `close`.
    let pollQueue: DispatchQueue

    /// The configuration the consumer was created with.
    public let configuration: KafkaConsumerConfiguration

    public init(
        configuration: KafkaConsumerConfiguration,
        rebalanceHandler: (@Sendable (KafkaRebalanceEvent) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        let callbacks = RDKafkaConsumerCallbacks()
        callbacks.rebalanceHandler.withLock { $0 = rebalanceHandler }
        let conf = try RDKafkaConfig.make(configuration.librdkafkaProperties, operation: "create consumer")
        callbacks.install(on: conf)
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_CONSUMER, conf: conf, operation: "create consumer")
        // Route the main queue (errors, rebalances) to the consumer queue served by polls.
        rd_kafka_poll_set_consumer(handle)
        self.callbacks = callbacks
        self.client = RDKafkaClient(handle: handle, callbackState: callbacks)
        self.pollQueue = DispatchQueue(label: "kafka-consumer-poll")
    }

    deinit {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            _ = rd_kafka_consumer_close(client.handle)
        }
    }

    /// Replaces the rebalance handler. Capture the consumer weakly inside it.
    public func onRebalance(_ handler: (@Sendable (KafkaRebalanceEvent) -> Void)?) {
        callbacks.rebalanceHandler.withLock { $0 = handler }
    }

    // MARK: - Membership

    /// Joins the group for `topics`; partitions arrive through rebalances during polls.
    public func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(KafkaTopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA), offset: -1001)
        }
        try KafkaError.check(rd_kafka_subscribe(client.handle, list.pointer), "subscribe")
    }

    /// Reads the given partitions from the given offsets without group membership (no
    /// rebalances). Commits still use the configured group id.
    public func assign(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try KafkaError.check(rd_kafka_assign(client.handle, list.pointer), "assign")
    }

    /// Assigns `partitions` at their ends as concrete offsets (each one's high watermark,
    /// asked of the broker) and returns them. Assigned at `.end`, a partition's position stays
    /// `.invalid` until a record is read (librdkafka 2.0.2 and 2.16), so a caller cannot tell
    /// when the reads start; with the offsets known, they start with the assignment.
    @discardableResult
    public func assignAtEnd(
        _ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)
    ) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        var offsets: [KafkaTopicPartitionOffset] = []
        for partition in partitions {
            offsets.append(KafkaTopicPartitionOffset(partition, offset: KafkaOffset(try watermarks(partition, timeout: timeout).high)))
        }
        try assign(offsets)
        return offsets
    }

    /// The partitions currently assigned to this member, sorted.
    public func assignment() throws(KafkaError) -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try KafkaError.check(rd_kafka_assignment(client.handle, &list), "assignment")
        guard let list else { return [] }
        return RDKafkaTopicPartitionList(adopting: list).partitions.sorted()
    }

    /// This member's id in the group (empty before the first join).
    public var memberID: String {
        guard let id = rd_kafka_memberid(client.handle) else { return "" }
        defer { rd_kafka_mem_free(client.handle, id) }
        return String(cString: id)
    }

    /// The group identity for `KafkaProducer.sendOffsetsToTransaction`.
    public func groupMetadata() throws(KafkaError) -> KafkaConsumerGroupMetadata {
        guard let pointer = rd_kafka_consumer_group_metadata(client.handle) else {
            throw KafkaError.client("consumer has no group metadata", operation: "groupMetadata")
        }
        return KafkaConsumerGroupMetadata(pointer: pointer)
    }

    /// Leaves the group (revoking partitions through the rebalance handler) and stops
    /// fetching. Waits for an in-flight async poll to return first, so do not call it from
    /// the rebalance handler. Safe to call twice.
    public func close() throws(KafkaError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let err = pollQueue.sync { rd_kafka_consumer_close(client.handle) }
        try KafkaError.check(err, "close consumer")
    }

    /// Whether `close` was called.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    // MARK: - Polling

    /// Up to `maxRecords` records: waits up to `timeout` for the first, then takes whatever
    /// else is already fetched. Blocks the calling thread; serves rebalance callbacks.
    /// Returns an empty array on timeout or once closed.
    /// - Throws: fatal consumer errors. Non-fatal errors are kept in `lastError`.
    public func poll(maxRecords: Int = 10_000, timeout: Duration) throws(KafkaError) -> [KafkaConsumerRecord] {
        guard !isClosed, maxRecords > 0 else { return [] }
        var records: [KafkaConsumerRecord] = []
        var topicCache = TopicNameCache()
        guard let first = rd_kafka_consumer_poll(client.handle, timeout.kafkaMilliseconds) else {
            return records
        }
        try take(first, into: &records, topicCache: &topicCache)
        guard maxRecords > 1, let queue = rd_kafka_queue_get_consumer(client.handle) else { return records }
        defer { rd_kafka_queue_destroy(queue) }
        let capacity = min(maxRecords - 1, 4096)
        records.reserveCapacity(min(maxRecords, 4096))
        try withUnsafeTemporaryAllocation(
            of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: capacity
        ) { (buffer) throws(KafkaError) in
            var remaining = maxRecords - 1
            while remaining > 0 {
                let count = rd_kafka_consume_batch_queue(queue, 0, buffer.baseAddress, min(remaining, capacity))
                if count <= 0 { break }
                var failure: KafkaError?
                for index in 0..<count {
                    let message = buffer[index]!
                    if failure == nil {
                        do throws(KafkaError) {
                            try take(message, into: &records, topicCache: &topicCache)
                        } catch {
                            failure = error
                        }
                    } else {
                        rd_kafka_message_destroy(message)
                    }
                }
                if let failure { throw failure }
                remaining -= count
                if count < min(remaining + count, capacity) { break }
            }
        }
        return records
    }

    /// Makes a `poll` waiting for its first record on another thread return now, with
    /// nothing (or the next `poll`, if none is waiting). Safe from any thread; for an owner
    /// that has something else to do once it arrives, e.g. delivery reports to take.
    public func wakeUp() {
        guard !isClosed, let queue = rd_kafka_queue_get_consumer(client.handle) else { return }
        rd_kafka_queue_yield(queue)
        rd_kafka_queue_destroy(queue)
    }

    /// One record, or nil after `timeout`. Blocks the calling thread.
    public func pollOne(timeout: Duration) throws(KafkaError) -> KafkaConsumerRecord? {
        try poll(maxRecords: 1, timeout: timeout).first
    }

    /// Batches of records as they arrive; ends when the consumer is closed or the task is
    /// cancelled. Blocking waits run on this consumer's queue, not the cooperative pool.
    public func batches(maxCount: Int = 10_000) -> KafkaConsumerBatches {
        KafkaConsumerBatches(consumer: self, maxCount: maxCount)
    }

    /// Records one at a time (taken from batches internally).
    public var records: KafkaConsumerRecords { KafkaConsumerRecords(batches: batches()) }

    /// The last non-fatal error seen (transport, failed async commit, rebalance).
    public var lastError: KafkaError? { callbacks.lastError.withLock { $0 } }

    /// Converts and destroys `message`; records errors or throws fatal ones.
    private func take(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, into records: inout [KafkaConsumerRecord],
        topicCache: inout TopicNameCache
    ) throws(KafkaError) {
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
            let detail = rd_kafka_message_errstr(message).map { String(cString: $0) }
            var error = KafkaError(m.err, operation: "consume", detail: detail)
            if m.err == RD_KAFKA_RESP_ERR__FATAL {
                error.isFatal = true
                throw client.fatalError(operation: "consume") ?? error
            }
            callbacks.lastError.withLock { $0 = error }
            return
        }
        let topic = topicCache.name(m.rkt)
        let key: [UInt8]? = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let value: [UInt8] = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var headers: [KafkaHeader] = []
        var cHeaders: OpaquePointer?
        if rd_kafka_message_headers(message, &cHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(cHeaders, index, &name, &valuePointer, &size)
                == RD_KAFKA_RESP_ERR_NO_ERROR
            {
                headers.append(
                    KafkaHeader(
                        name: name.map { String(cString: $0) } ?? "",
                        value: valuePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        records.append(
            KafkaConsumerRecord(
                topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                isTombstone: m.payload == nil, headers: headers,
                timestampMilliseconds: timestamp >= 0 ? timestamp : nil))
    }

    // MARK: - Offsets

    /// Marks records as processed: stores offset + 1 of the highest record per partition, to
    /// be committed by `commit()`. Offsets of partitions no longer assigned are dropped.
    public func storeOffsets(for records: [KafkaConsumerRecord]) throws(KafkaError) {
        guard !records.isEmpty else { return }
        var highest: [KafkaTopicPartitionOffset] = []
        for record in records {
            let next = KafkaOffset(record.offset + 1)
            if let index = highest.firstIndex(where: {
                $0.partition == record.partition && $0.topic == record.topic
            }) {
                if highest[index].offset < next { highest[index].offset = next }
            } else {
                highest.append(KafkaTopicPartitionOffset(record.topicPartition, offset: next))
            }
        }
        try storeOffsets(highest)
    }

    /// Marks one record as processed (see `storeOffsets(for:)`).
    public func storeOffset(for record: KafkaConsumerRecord) throws(KafkaError) {
        try storeOffsets([record.nextOffset])
    }

    /// Stores explicit next-to-read offsets for the next `commit()`.
    public func storeOffsets(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try KafkaError.check(rd_kafka_offsets_store(client.handle, list.pointer), "storeOffsets")
    }

    /// Commits the stored offsets and waits for the broker. Nothing new to commit is not an
    /// error. Blocks for a round trip.
    public func commit() throws(KafkaError) {
        try checkCommit(rd_kafka_commit(client.handle, nil, 0))
    }

    /// Commits explicit next-to-read offsets and waits for the broker. Blocks.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try checkCommit(rd_kafka_commit(client.handle, list.pointer, 0))
    }

    /// `commit()` without blocking the cooperative pool.
    public func commit() async throws {
        try await runBlocking { [self] in try self.commit() }
    }

    /// `commit(_:)` without blocking the cooperative pool.
    public func commit(_ offsets: [KafkaTopicPartitionOffset]) async throws {
        try await runBlocking { [self] in try self.commit(offsets) }
    }

    /// Starts a commit of the stored offsets without waiting; failures land in `lastError`.
    public func commitAsync() throws(KafkaError) {
        try checkCommit(rd_kafka_commit(client.handle, nil, 1))
    }

    /// Starts a commit of explicit offsets without waiting; failures land in `lastError`.
    public func commitAsync(_ offsets: [KafkaTopicPartitionOffset]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try checkCommit(rd_kafka_commit(client.handle, list.pointer, 1))
    }

    private func checkCommit(_ err: rd_kafka_resp_err_t) throws(KafkaError) {
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(err, "commit")
    }

    /// The group's committed offsets for `partitions` (`.invalid` where none). Blocks.
    public func committed(
        _ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)
    ) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList(partitions)
        try KafkaError.check(
            rd_kafka_committed(client.handle, list.pointer, timeout.kafkaMilliseconds), "committed")
        return list.offsets
    }

    /// The next offset this consumer will read per partition (`.invalid` before the first fetch).
    public func position(_ partitions: [KafkaTopicPartition]) throws(KafkaError) -> [KafkaTopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_position(client.handle, list.pointer), "position")
        return list.offsets
    }

    /// Moves the fetch position of assigned partitions. Blocks up to `timeout`.
    public func seek(_ offsets: [KafkaTopicPartitionOffset], timeout: Duration = .seconds(10)) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try KafkaError.check(
            rd_kafka_seek_partitions(client.handle, list.pointer, timeout.kafkaMilliseconds), "seek")
        if let failed = list.offsets.first(where: { $0.error != nil }), let error = failed.error {
            throw error
        }
    }

    /// Stops fetching from `partitions` (they stay assigned).
    public func pause(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_pause_partitions(client.handle, list.pointer), "pause")
    }

    /// Resumes fetching from paused `partitions`.
    public func resume(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(partitions)
        try KafkaError.check(rd_kafka_resume_partitions(client.handle, list.pointer), "resume")
    }

    /// Lag of every assigned partition. Uses the high watermark of the last fetch response when
    /// there is one (cheap, and correct on Tansu, whose ListOffsets answer is the last batch's
    /// base offset + 1), else asks the broker. Blocks when it asks.
    public func lag(timeout: Duration = .seconds(10)) throws(KafkaError) -> [KafkaPartitionLag] {
        let partitions = try assignment()
        guard !partitions.isEmpty else { return [] }
        let positions = try position(partitions)
        let needCommitted = positions.filter { !$0.offset.isConcrete }.map(\.topicPartition)
        let committedOffsets = needCommitted.isEmpty ? [] : try committed(needCommitted, timeout: timeout)
        var result: [KafkaPartitionLag] = []
        for current in positions {
            var marks = cachedWatermarks(current.topicPartition) ?? (low: -1, high: -1)
            if marks.high < 0 || marks.low < 0 {
                marks = try client.queryWatermarks(
                    current.topicPartition, timeoutMilliseconds: timeout.kafkaMilliseconds)
            }
            var next = current.offset
            if !next.isConcrete {
                next = committedOffsets.first { $0.topicPartition == current.topicPartition }?.offset ?? .invalid
            }
            result.append(
                KafkaPartitionLag(
                    topicPartition: current.topicPartition,
                    position: next.isConcrete ? next.rawValue : marks.low, highWatermark: marks.high))
        }
        return result
    }

    /// Low and high watermark of a partition as the last fetch response reported them, without
    /// a request; nil before the first fetch from that partition.
    public func cachedWatermarks(_ partition: KafkaTopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Low and high watermark of a partition from the broker (ListOffsets). Blocks. Tansu
    /// 0.6.0 answers the last batch's base offset + 1 as the high mark: prefer
    /// `cachedWatermarks` while consuming.
    public func watermarks(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(10)
    ) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.queryWatermarks(partition, timeoutMilliseconds: timeout.kafkaMilliseconds)
    }

    /// Cluster metadata as seen by this consumer. Blocks up to `timeout`.
    public func metadata(timeout: Duration = .seconds(10)) throws(KafkaError) -> KafkaClusterMetadata {
        try client.metadata(timeoutMilliseconds: timeout.kafkaMilliseconds)
    }
}

/// Remembers the last topic handle's name so a batch does not build the same String per record.
private struct TopicNameCache {
    private var handle: OpaquePointer?
    private var name = ""

    mutating func name(_ topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if topic != handle {
            handle = topic
            name = String(cString: rd_kafka_topic_name(topic))
        }
        return name
    }
}
