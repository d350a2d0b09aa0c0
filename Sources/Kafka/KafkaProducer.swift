import CRdKafka
import Synchronization

/// Produces records to Kafka. Delivery reports are served on a dedicated poll thread.
///
/// Two ways to send:
/// - `send` awaits the record's delivery report (simple, one suspension per record);
/// - `enqueue` returns as soon as librdkafka has copied the record (waiting only when the local
///   queue is full) and is counted in `deliveryCounts`, and passed to the optional
///   `deliveryHandler` (on the poll thread, or on the thread calling `serveDeliveryReports`).
///   Without a handler, `enqueue` also serves pending delivery reports
///   every 1024 calls (which may resume `send` callers from the enqueueing thread). Use
///   `flush` to wait for all outstanding deliveries. This is the fast path: no task,
///   continuation or allocation per record.
///
/// With `transactionalID` set, use `initTransactions` once, then `beginTransaction`, `send` or
/// `enqueue`, `sendOffsetsToTransaction` and `commitTransaction` (or `abortTransaction`).
public final class KafkaProducer: Sendable {
    private let client: RDKafkaClient
    private let callbacks: RDKafkaProducerCallbacks
    private let pollThread: RDKafkaPollThread
    private let topicHandles: RDKafkaTopicHandles
    private let closed = Atomic<Bool>(false)
    private let enqueueCount = Atomic<Int>(0)

    /// The configuration the producer was created with.
    public let configuration: KafkaProducerConfiguration

    /// Creates the producer and starts its poll thread.
    ///
    /// - Parameter deliveryHandler: called on the poll thread (or in `serveDeliveryReports`, and
    ///   in an `enqueue` that waits on a full queue once the caller serves reports itself)
    ///   for every `enqueue`d record's report, in the order librdkafka serves them. Keep it short; it must not call `enqueue`
    ///   (which could wait for the poll thread when the queue is full).
    /// - Parameter deliveredTagHandler: when set, takes the tag of every record enqueued with
    ///   a `deliveryTag` and delivered without error, in place of `deliveryHandler` (which
    ///   still gets failures and untagged records): no `KafkaDeliveryReport` is built for the
    ///   common case, for an owner that only counts deliveries per tag (a stage runner).
    public init(
        configuration: KafkaProducerConfiguration,
        deliveryHandler: (@Sendable (KafkaDeliveryReport) -> Void)? = nil,
        deliveredTagHandler: (@Sendable (UInt64) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        let callbacks = RDKafkaProducerCallbacks(handler: deliveryHandler, deliveredTagHandler: deliveredTagHandler)
        let conf = try RDKafkaConfig.make(configuration.librdkafkaProperties, operation: "create producer")
        callbacks.install(on: conf)
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_PRODUCER, conf: conf, operation: "create producer")
        self.callbacks = callbacks
        self.client = RDKafkaClient(handle: handle, callbackState: callbacks)
        self.pollThread = RDKafkaPollThread(client: client, name: "kafka-producer-poll")
        self.topicHandles = RDKafkaTopicHandles(client: client)
    }

    deinit {
        pollThread.stop()
        topicHandles.destroyAll()
    }

    // MARK: - Sending

    /// Produces one record and waits for its delivery report.
    ///
    /// - Returns: the report of the delivered record (partition and offset).
    /// - Throws: `KafkaError` when the record could not be queued or was not delivered.
    @discardableResult
    public func send(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], partition: Int32? = nil
    ) async throws -> KafkaDeliveryReport {
        while true {
            let report: KafkaDeliveryReport? = try await withCheckedThrowingContinuation { continuation in
                let waiter = Unmanaged.passRetained(DeliveryWaiter(continuation))
                let err = produce(
                    topic: topic, key: key, value: value, headers: headers, partition: partition,
                    opaque: waiter.toOpaque(), block: false)
                guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
                waiter.release()
                if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    continuation.resume(returning: nil)
                } else {
                    continuation.resume(throwing: KafkaError(err, operation: "send to \(topic)"))
                }
            }
            if let report {
                if let error = report.error { throw error }
                return report
            }
            // The local queue is full: let the poll thread drain delivery reports, then retry.
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Queues one record without waiting for delivery. Blocks the calling thread only while
    /// librdkafka's local queue is full. The report is counted in `deliveryCounts` and passed
    /// to the `deliveryHandler`.
    public func enqueue(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], partition: Int32? = nil
    ) throws(KafkaError) {
        let err = produce(
            topic: topic, key: key, value: value, headers: headers, partition: partition,
            opaque: nil, block: true)
        try KafkaError.check(err, "enqueue to \(topic)")
    }

    /// `enqueue` with a caller-chosen `deliveryTag` that comes back in the record's
    /// `KafkaDeliveryReport.deliveryTag`, so the caller can tell which records are delivered
    /// (e.g. to commit input offsets only once their outputs are). Tags must be below 2^63.
    /// `timestampMilliseconds` sets the record's create time (nil: now).
    public func enqueue(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [KafkaHeader] = [], partition: Int32? = nil, timestampMilliseconds: Int64? = nil,
        deliveryTag: UInt64
    ) throws(KafkaError) {
        precondition(deliveryTag < 1 << 63, "delivery tags must be below 2^63")
        let err = withBytes(key) { keyBytes in
            withBytes(value) { valueBytes in
                produceRaw(
                    topic: topic, key: keyBytes, value: valueBytes, headers: headers,
                    partition: partition, opaque: DeliveryTag.opaque(deliveryTag), block: true,
                    timestampMilliseconds: timestampMilliseconds)
            }
        }
        try KafkaError.check(err, "enqueue to \(topic)")
    }

    /// `enqueue(topic:key:value:headers:partition:timestampMilliseconds:deliveryTag:)` from
    /// raw memory the caller owns for the duration of the call (librdkafka copies it), e.g.
    /// a consumed record's bytes forwarded without an intermediate array.
    public func enqueue(
        topic: String, keyBytes: UnsafeRawBufferPointer?, valueBytes: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [], partition: Int32? = nil, timestampMilliseconds: Int64? = nil,
        deliveryTag: UInt64
    ) throws(KafkaError) {
        precondition(deliveryTag < 1 << 63, "delivery tags must be below 2^63")
        let err = produceRaw(
            topic: topic, key: keyBytes, value: valueBytes, headers: headers,
            partition: partition, opaque: DeliveryTag.opaque(deliveryTag), block: true,
            timestampMilliseconds: timestampMilliseconds)
        try KafkaError.check(err, "enqueue to \(topic)")
    }

    /// The handle of `topic` on this producer (created on first use, kept for the producer's
    /// life): see ``KafkaProducerTopic``.
    public func topic(_ name: String) -> KafkaProducerTopic {
        KafkaProducerTopic(name: name, handle: topicHandles.handle(name), producer: ObjectIdentifier(self))
    }

    /// `enqueue(topic:keyBytes:valueBytes:headers:partition:timestampMilliseconds:deliveryTag:)`
    /// to a topic resolved with ``topic(_:)`` on this producer: no lookup by name, no lock.
    public func enqueue(
        to topic: KafkaProducerTopic, keyBytes: UnsafeRawBufferPointer?, valueBytes: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [], partition: Int32? = nil, timestampMilliseconds: Int64? = nil,
        deliveryTag: UInt64
    ) throws(KafkaError) {
        precondition(topic.belongs(to: self), "a KafkaProducerTopic is only valid on the producer that made it")
        precondition(deliveryTag < 1 << 63, "delivery tags must be below 2^63")
        let err = produceRaw(
            topic: topic.name, handle: .some(topic.handle), key: keyBytes, value: valueBytes, headers: headers,
            partition: partition, opaque: DeliveryTag.opaque(deliveryTag), block: true,
            timestampMilliseconds: timestampMilliseconds)
        try KafkaError.check(err, "enqueue to \(topic.name)")
    }

    /// `enqueue` with UTF-8 string key and value, without copying them into arrays.
    public func enqueue(
        topic: String, key: String?, value: String,
        headers: [KafkaHeader] = [], partition: Int32? = nil
    ) throws(KafkaError) {
        var key = key
        var value = value
        let err = withUTF8(&key) { keyBytes in
            value.withUTF8 { valueBytes in
                produceRaw(
                    topic: topic, key: keyBytes, value: UnsafeRawBufferPointer(valueBytes),
                    headers: headers, partition: partition, opaque: nil, block: true)
            }
        }
        try KafkaError.check(err, "enqueue to \(topic)")
    }

    /// `enqueue` from raw memory the caller owns for the duration of the call (copied).
    public func enqueue(
        topic: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader] = [], partition: Int32? = nil
    ) throws(KafkaError) {
        let err = produceRaw(
            topic: topic, key: key, value: value, headers: headers, partition: partition,
            opaque: nil, block: true)
        try KafkaError.check(err, "enqueue to \(topic)")
    }

    /// Serves the delivery reports ready now on the calling thread (the `deliveryHandler` runs
    /// here), without waiting. For an owner that enqueues in bulk from one thread and calls
    /// this after each batch, as a C produce loop does: records are then freed by the thread
    /// that allocated them, and the poll thread steps back meanwhile (measured as the largest
    /// cost of producing from a consume loop: malloc arena contention between the two threads).
    /// The poll thread still serves reports whenever the caller stops calling this, e.g. while
    /// it waits in `enqueue` on a full queue.
    public func serveDeliveryReports() {
        guard !closed.load(ordering: .relaxed) else { return }
        let count = enqueueCount.wrappingAdd(1, ordering: .relaxed).newValue
        pollThread.inlineActivity.store(count, ordering: .relaxed)
        rd_kafka_poll(client.handle, 0)
    }

    /// `serveDeliveryReports`, appending the tag of every tagged record delivered without error
    /// among the reports served here to `tags` instead of passing it to the
    /// `deliveredTagHandler` (no call per record). Reports the poll thread serves meanwhile
    /// still go to the handler.
    public func serveDeliveryReports(appendingDeliveredTagsTo tags: inout [UInt64]) {
        let before = tags.count
        withUnsafeMutablePointer(to: &tags) { tags in
            callbacks.collectedTags = tags
            callbacks.collectingThread.store(currentThreadID(), ordering: .relaxed)
            defer {
                callbacks.collectingThread.store(0, ordering: .relaxed)
                callbacks.collectedTags = nil
            }
            serveDeliveryReports()
        }
        // Counted here at once, not per report (an atomic add each).
        if tags.count > before { callbacks.delivered.add(tags.count - before, ordering: .relaxed) }
    }

    /// Delivery reports served so far (for `enqueue` and `send` alike).
    public var deliveryCounts: KafkaDeliveryCounts {
        KafkaDeliveryCounts(
            delivered: callbacks.delivered.load(ordering: .relaxed),
            failed: callbacks.failed.load(ordering: .relaxed))
    }

    /// The last failed delivery or client error reported by librdkafka, if any.
    public var lastError: KafkaError? { callbacks.lastError.withLock { $0 } }

    /// Records queued or in flight, not yet reported.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// Waits until every queued record has a delivery report. Blocks the calling thread.
    /// - Throws: `_TIMED_OUT` when records are still outstanding after `timeout`.
    public func flush(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_flush(client.handle, timeout.kafkaMilliseconds), "flush")
    }

    /// `flush` without blocking the cooperative pool.
    public func flush(timeout: Duration) async throws {
        try await runBlocking { [self] in try self.flush(timeout: timeout) }
    }

    /// Flushes (up to `flushTimeout`), fails what is still queued (`_PURGE_QUEUE` reports) and
    /// stops the poll thread. Later sends throw. Safe to call twice.
    public func close(flushTimeout: Duration = .seconds(10)) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = rd_kafka_flush(client.handle, flushTimeout.kafkaMilliseconds)
        rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        pollThread.stop()
        // Serve the purge reports so every awaiting `send` is resumed before the handle goes.
        let deadline = ContinuousClock.now + .seconds(5)
        repeat {
            _ = rd_kafka_poll(client.handle, 10)
        } while rd_kafka_outq_len(client.handle) > 0 && ContinuousClock.now < deadline
    }

    // MARK: - Transactions

    /// Registers the `transactionalID` with the cluster and fences older instances. Blocks.
    public func initTransactions(timeout: Duration = .seconds(30)) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_init_transactions(client.handle, timeout.kafkaMilliseconds), "initTransactions")
    }

    /// `initTransactions` without blocking the cooperative pool.
    public func initTransactions(timeout: Duration = .seconds(30)) async throws {
        try await runBlocking { [self] in try self.initTransactions(timeout: timeout) }
    }

    /// Starts a transaction: records produced until commit or abort belong to it.
    public func beginTransaction() throws(KafkaError) {
        try KafkaError.check(rd_kafka_begin_transaction(client.handle), "beginTransaction")
    }

    /// Adds consumer offsets to the current transaction, so they commit or abort with its
    /// records. `offsets` are the next records to read (last processed offset + 1). Blocks.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartitionOffset], groupMetadata: KafkaConsumerGroupMetadata,
        timeout: Duration = .seconds(30)
    ) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        try KafkaError.check(
            rd_kafka_send_offsets_to_transaction(
                client.handle, list.pointer, groupMetadata.pointer, timeout.kafkaMilliseconds),
            "sendOffsetsToTransaction")
    }

    /// `sendOffsetsToTransaction` without blocking the cooperative pool.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartitionOffset], groupMetadata: KafkaConsumerGroupMetadata,
        timeout: Duration = .seconds(30)
    ) async throws {
        try await runBlocking { [self] in
            try self.sendOffsetsToTransaction(offsets, groupMetadata: groupMetadata, timeout: timeout)
        }
    }

    /// Flushes and commits the current transaction. Blocks. On an error with
    /// `transactionRequiresAbort`, call `abortTransaction`; on `isRetriable`, call again.
    public func commitTransaction(timeout: Duration = .seconds(30)) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_commit_transaction(client.handle, timeout.kafkaMilliseconds), "commitTransaction")
    }

    /// `commitTransaction` without blocking the cooperative pool.
    public func commitTransaction(timeout: Duration = .seconds(30)) async throws {
        try await runBlocking { [self] in try self.commitTransaction(timeout: timeout) }
    }

    /// Aborts the current transaction: its records are marked aborted. Blocks.
    public func abortTransaction(timeout: Duration = .seconds(30)) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_abort_transaction(client.handle, timeout.kafkaMilliseconds), "abortTransaction")
    }

    /// `abortTransaction` without blocking the cooperative pool.
    public func abortTransaction(timeout: Duration = .seconds(30)) async throws {
        try await runBlocking { [self] in try self.abortTransaction(timeout: timeout) }
    }

    /// The fatal error that made this producer unusable, if any.
    public var fatalClientError: KafkaError? { client.fatalError(operation: "producer") }

    /// Cluster metadata as seen by this producer. Blocks up to `timeout`.
    public func metadata(timeout: Duration = .seconds(10)) throws(KafkaError) -> KafkaClusterMetadata {
        try client.metadata(timeoutMilliseconds: timeout.kafkaMilliseconds)
    }

    // MARK: - C boundary

    private func produce(
        topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader],
        partition: Int32?, opaque: UnsafeMutableRawPointer?, block: Bool
    ) -> rd_kafka_resp_err_t {
        withBytes(key) { keyBytes in
            withBytes(value) { valueBytes in
                produceRaw(
                    topic: topic, key: keyBytes, value: valueBytes, headers: headers,
                    partition: partition, opaque: opaque, block: block)
            }
        }
    }

    /// - Parameter handle: the topic's handle when the caller resolved it (``topic(_:)``);
    ///   nil: looked up by name here.
    private func produceRaw(
        topic: String, handle: OpaquePointer?? = nil, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], partition: Int32?, opaque: UnsafeMutableRawPointer?, block: Bool,
        timestampMilliseconds: Int64? = nil
    ) -> rd_kafka_resp_err_t {
        let topicHandle = handle ?? topicHandles.handle(topic)
        // A caller that serves delivery reports itself (`serveDeliveryReports`, bulk
        // `enqueue`) has the poll thread stepped back: librdkafka's own blocking wait would
        // sleep until that thread returns (~10 ms per full queue, measured as the no-op
        // stage's rate ceiling). It waits by serving the reports itself instead, as a C
        // produce loop does.
        let servesInline = block && pollThread.inlineActivity.load(ordering: .relaxed) != 0
        while true {
            let err = produceOnce(
                topic: topic, topicHandle: topicHandle, key: key, value: value, headers: headers, partition: partition, opaque: opaque,
                block: block && !servesInline, timestampMilliseconds: timestampMilliseconds)
            guard servesInline, err == RD_KAFKA_RESP_ERR__QUEUE_FULL else { return err }
            let count = enqueueCount.wrappingAdd(1, ordering: .relaxed).newValue
            pollThread.inlineActivity.store(count, ordering: .relaxed)
            rd_kafka_poll(client.handle, 10)
        }
    }

    private func produceOnce(
        topic: String, topicHandle: OpaquePointer?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], partition: Int32?, opaque: UnsafeMutableRawPointer?, block: Bool,
        timestampMilliseconds: Int64?
    ) -> rd_kafka_resp_err_t {
        if closed.load(ordering: .relaxed) { return RD_KAFKA_RESP_ERR__DESTROY }
        var cHeaders: OpaquePointer? = nil
        if !headers.isEmpty {
            let list = rd_kafka_headers_new(headers.count)!
            for header in headers {
                withBytes(header.value) { bytes in
                    _ = rd_kafka_header_add(
                        list, header.name, -1, bytes?.baseAddress, bytes.map { $0.count } ?? 0)
                }
            }
            cHeaders = list
        }
        let flags = RD_KAFKA_MSG_F_COPY | (block ? RD_KAFKA_MSG_F_BLOCK : 0)
        if block && callbacks.handler == nil {
            // Bulk `enqueue` serves delivery reports on its own thread every 1024 records, as a
            // C producer loop does; the poll thread steps back meanwhile. Not with a
            // `deliveryHandler`, which is promised to run on the poll thread only.
            let count = enqueueCount.wrappingAdd(1, ordering: .relaxed).newValue
            if count & 1023 == 0 {
                pollThread.inlineActivity.store(count, ordering: .relaxed)
                rd_kafka_poll(client.handle, 0)
            }
        }
        if let topicHandle, cHeaders == nil, timestampMilliseconds == nil {
            // No headers and no timestamp (rd_kafka_produce takes neither): the fixed-argument
            // call, which skips produceva's argument decoding (measured ~1.5x cheaper per small
            // record).
            let status = rd_kafka_produce(
                topicHandle, partition ?? RD_KAFKA_PARTITION_UA, flags,
                UnsafeMutableRawPointer(mutating: value.map { $0.baseAddress ?? emptyPayload }),
                value?.count ?? 0, key.map { $0.baseAddress ?? emptyPayload }, key?.count ?? 0, opaque)
            return status == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error()
        }
        let err = topic.withCString { topicName in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus in
                var count = 0
                func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = type
                    fill(&vu)
                    vus.initializeElement(at: count, to: vu)
                    count += 1
                }
                if let topicHandle {
                    append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
                } else {
                    append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = flags }
                if let value {
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress ?? emptyPayload)
                        $0.u.mem.size = value.count
                    }
                }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress ?? emptyPayload)
                        $0.u.mem.size = key.count
                    }
                }
                if let partition { append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                if let cHeaders { append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = cHeaders } }
                if let opaque { append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque } }
                if let timestampMilliseconds { append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestampMilliseconds } }
                guard let error = rd_kafka_produceva(client.handle, vus.baseAddress, count) else {
                    return RD_KAFKA_RESP_ERR_NO_ERROR
                }
                let code = rd_kafka_error_code(error)
                rd_kafka_error_destroy(error)
                return code
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let cHeaders {
            rd_kafka_headers_destroy(cHeaders)
        }
        return err
    }
}

/// A valid address for empty (non-null) payloads.
nonisolated(unsafe) private let emptyPayload = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

private func withBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

private func withUTF8<R>(_ string: inout String?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard string != nil else { return body(nil) }
    return string!.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}
