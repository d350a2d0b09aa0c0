import Foundation
import Kafka

/// The body of ``StageRunner/run()``: one thread's poll → process → produce → commit loop.
///
/// `@unchecked Sendable` because the rebalance handler (a `@Sendable` closure) must reach the
/// tasks: it only ever runs inside `consumer.poll` or `consumer.close`, both called from this
/// loop's thread (close waits on the consumer's queue while this thread is blocked), so all
/// mutable state is touched by one thread at a time.
final class StageRunnerLoop: @unchecked Sendable {
    private let runner: StageRunner
    private let configuration: StageRunnerConfiguration
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let inbox: DeliveryInbox
    private let restorer: KafkaStateRestorer
    /// What tasks restore and follow control topics with (whole reads go to `restorer`).
    private let following: FollowingStateRestorer
    /// Exactly-once only: the per-task transactional producers.
    private let transactions: TaskTransactions?
    private let clock = ContinuousClock()
    /// The thread `run` is called on, where records are lent and produced.
    private var thread = pthread_self()

    private var tasks: [KafkaTopicPartition: StageTask] = [:]
    /// What the per-record path needs of each owned partition, found without hashing a topic
    /// name for consecutive records of one partition (`lastSlot`).
    private var slots: [KafkaTopicPartition: PartitionSlot] = [:]
    /// Not retained: `slots` holds it, and it is cleared whenever `slots` loses an entry.
    @exclusivity(unchecked) private var lastSlot: Unmanaged<PartitionSlot>?
    /// `tasks.keys`, sorted: kept on assign and revoke instead of sorted per batch.
    private var owned: [KafkaTopicPartition] = [] {
        didSet {
            ownedTasks = owned.compactMap { tasks[$0] }
            ownedSlots = owned.compactMap { slots[$0] }
        }
    }
    /// The tasks and slots of `owned`, in its order: what every batch visits (wall-clock
    /// punctuation) or a record of another partition than the last looks up, without hashing
    /// a topic name per partition (a lookup per owned partition per batch in
    /// `punctuateWallClock` took ~5% of the no-op runner's thread at 34 partitions).
    private var ownedTasks: [StageTask] = []
    private var ownedSlots: [PartitionSlot] = []
    /// When `publishStatistics` last rebuilt the per-partition view (monotonic nanoseconds).
    private var partitionsPublishedAt: Int64 = 0
    /// How stale the per-partition view may get while records stream: 10 ms.
    private static let partitionsInterval: Int64 = 10_000_000
    /// Per-record state, exempt from dynamic exclusivity checks (they cost ~10% of a no-op
    /// stage's thread with the context's and task's): only this loop's thread uses it, and no
    /// access spans a call that could reach it again (the rebalance handler runs inside
    /// `consumer.poll`, between records, never inside a tracker call).
    @exclusivity(unchecked) private var tracker = DeliveryTracker()
    /// The bytes of the input being processed, lent from the consumer (see `handle`).
    @exclusivity(unchecked) private var lent = LentRecordBytes()
    /// Resume seeks decided during the current poll, applied once it returns.
    private var seeks: [KafkaTopicPartitionOffset] = []
    /// Tags of delivered outputs served on this thread (storage reused).
    private var collectedTags: [UInt64] = []
    /// Tags of delivered outputs, taken from the inbox (storage reused).
    private var deliveredTags: [UInt64] = []
    /// Set by a record handled inside `poll`'s body, thrown once it returns.
    private var handleFailure: (any Error)?
    private var committed: [KafkaTopicPartition: Int64] = [:]
    private var lags: [KafkaTopicPartition: Int64] = [:]
    /// Exactly-once: inputs below these offsets were processed and committed by a predecessor
    /// after its last checkpoint. They are processed again to rebuild the state exactly, but
    /// their outputs are dropped (they are committed already).
    private var catchUpEnds: [KafkaTopicPartition: Int64] = [:]
    /// When each partition was assigned, until its first record past the catch-up.
    private var assignedAt: [KafkaTopicPartition: ContinuousClock.Instant] = [:]
    /// Set inside the rebalance handler, which cannot throw.
    private var failure: (any Error)?
    /// After a failure or once shutting down: the rebalance handler does nothing.
    private var handlerDisabled = false
    private var paused = false
    /// librdkafka before 2.3: wakes the fetchers after a backlog drained (see
    /// ``StageRunnerConfiguration/wakesFetchers``); nil otherwise.
    private let fetchWaker: KafkaFetchWaker?
    /// When to wake the fetchers (with ``fetchWaker``).
    private var fetchWakes: FetchWakePolicy
    @exclusivity(unchecked) private var statistics: StageStatistics
    /// The shared producer's handles of the output topics (looked up without its lock).
    @exclusivity(unchecked) private var outputTopics: OutputTopicHandles
    /// Records until the next one whose processing time goes into the latency histogram
    /// (one in ``StageStatistics/processingLatencySampling``: two clock reads per record
    /// cost ~6% of a no-op stage's thread).
    @exclusivity(unchecked) private var untilLatencySample = 1

    init(runner: StageRunner) throws {
        self.runner = runner
        configuration = runner.configuration
        let inbox = DeliveryInbox()
        self.inbox = inbox
        producer = try KafkaProducer(
            configuration: configuration.runnerProducer, deliveryHandler: { inbox.post($0) },
            deliveredTagHandler: { inbox.postDelivered($0) })
        let consumerConfiguration = configuration.runnerConsumer
        let consumer = try KafkaConsumer(configuration: consumerConfiguration)
        self.consumer = consumer
        inbox.onWake { consumer.wakeUp() }
        fetchWaker = StageRunnerConfiguration.wakesFetchers ? KafkaFetchWaker(consumer: consumer) : nil
        let bound = consumerConfiguration.librdkafkaProperties["queued.max.messages.kbytes"].flatMap { Int($0) }
        fetchWakes = FetchWakePolicy(
            fullPoll: configuration.maxBatchSize, prefetchBoundKilobytes: bound ?? StageRunnerConfiguration.wokenQueuedKilobytes)
        restorer = KafkaStateRestorer(configuration: configuration.consumer, timeout: configuration.restoreTimeout)
        following = FollowingStateRestorer(base: restorer)
        transactions = configuration.guarantee == .exactlyOnce
            ? TaskTransactions(configuration: configuration) { inbox.post($0) } : nil
        statistics = StageStatistics(stage: configuration.stage)
        outputTopics = OutputTopicHandles(producer: producer)
    }

    deinit { fetchWaker?.stop() }

    func run() throws {
        thread = pthread_self()
        do {
            consumer.onRebalance { [unowned self] event in self.rebalance(event) }
            try consumer.subscribe(topics: configuration.inputTopics)
            var nextCommit = clock.now + configuration.commitInterval
            var nextLagRefresh = clock.now
            // Record bytes are summed only for the fetch waker (librdkafka before 2.3).
            let countsBytes = fetchWaker != nil
            while !runner.isShuttingDown {
                // Paused for backpressure, no record comes: poll briefly so the partitions
                // resume as soon as enough outputs are delivered.
                let timeout = paused ? min(configuration.pollTimeout, .milliseconds(5)) : configuration.pollTimeout
                // Outputs in flight: a delivery report served meanwhile (by the producer's
                // poll thread) ends the wait, so delivered outputs are taken — counted,
                // committable — when they are reported. Waiting out a whole idle `pollTimeout`
                // after a burst held the last deliveries for 100 ms (a fifth of `bench
                // pipeline`'s no-op stage run).
                let waitsForDeliveries = tracker.inFlight > 0
                if waitsForDeliveries { inbox.beginWaiting() }
                // Records are lent, not copied: each is handled inside the poll (see `handle`).
                // The wall clock has millisecond resolution: read once per batch.
                var batchClock: Int64?
                // Counted per batch: a counter in `statistics` (a property of this class) costs
                // a dynamic exclusivity check per record.
                var counts = BatchCounts()
                let taken = try consumer.poll(maxRecords: configuration.maxBatchSize, timeout: timeout) { record in
                    guard self.failure == nil, self.handleFailure == nil else { return }
                    let wallClock = batchClock ?? Self.wallClock()
                    batchClock = wallClock
                    if countsBytes { counts.bytesIn &+= record.byteCount }
                    do {
                        try self.handle(record, wallClock: wallClock, counts: &counts)
                    } catch {
                        self.handleFailure = error
                    }
                }
                if waitsForDeliveries { inbox.endWaiting() }
                counts.add(to: &statistics)
                if let fetchWaker { wakeFetchersIfBehind(fetchWaker, taken: taken, bytes: counts.bytesIn) }
                if let failure { throw failure }
                if let handleFailure { throw handleFailure }
                try applySeeks()
                try punctuateWallClock(batchClock ?? Self.wallClock())
                try absorbDeliveryReports()
                if clock.now >= nextCommit {
                    if transactions != nil {
                        try commitTransactions()
                    } else {
                        commitDelivered(waiting: false)
                    }
                    nextCommit = clock.now + configuration.commitInterval
                }
                try applyBackpressure()
                if clock.now >= nextLagRefresh {
                    refreshLag()
                    nextLagRefresh = clock.now + configuration.lagRefreshInterval
                }
                // The per-partition view costs a dictionary lookup or three per owned
                // partition: rebuilt here at most every `partitionsInterval` (an idle runner's
                // is current after its next poll, within `pollTimeout`).
                publishStatistics(rebuildingPartitions: false)
            }
            try shutDownGracefully()
        } catch {
            abandon()
            throw error
        }
    }

    // MARK: - Processing

    private func slot(for record: KafkaConsumerRecordView) -> Unmanaged<PartitionSlot>? {
        if let last = lastSlot, last._withUnsafeGuaranteedRef({
            $0.partition.partition == record.partition && $0.topicHandle == record.topicHandle
        }) {
            return last
        }
        // A partition seen before: found by its topic handle, without building the name.
        if let handle = record.topicHandle {
            for slot in ownedSlots where slot.partition.partition == record.partition && slot.topicHandle == handle {
                lastSlot = .passUnretained(slot)
                return lastSlot
            }
        }
        guard let slot = slots[KafkaTopicPartition(topic: record.topic, partition: record.partition)] else {
            lastSlot = nil
            return nil
        }
        slot.topicHandle = record.topicHandle
        lastSlot = .passUnretained(slot)
        return lastSlot
    }

    /// Handles one record lent by the consumer. Its key and value reach the stage as
    /// ``LentRecordBytes`` (no copy); outputs are produced before the record is given back, so
    /// a forwarded input is produced straight from the fetch buffer. If the stage kept the
    /// record, the bytes are copied before the message goes.
    private func handle(_ record: KafkaConsumerRecordView, wallClock: Int64, counts: inout BatchCounts) throws {
        guard let slotReference = slot(for: record) else { return }
        try slotReference._withUnsafeGuaranteedRef { slot in try handle(record, slot: slot, wallClock: wallClock, counts: &counts) }
    }

    private func handle(
        _ record: KafkaConsumerRecordView, slot: PartitionSlot, wallClock: Int64, counts: inout BatchCounts
    ) throws {
        guard admit(record, slot: slot) else { return }
        lent.lend(record)
        defer {
            if !isKnownUniquelyReferenced(&lent) {
                lent.keep()
                lent = LentRecordBytes()
            }
        }
        // Borrowed without a retain (see `PartitionSlot.task`).
        try slot.task._withUnsafeGuaranteedRef { task in
            try slot.progress._withUnsafeGuaranteedRef { progress in
                try handle(record, slot: slot, task: task, progress: progress, wallClock: wallClock, counts: &counts)
            }
        }
    }

    private func handle(
        _ record: KafkaConsumerRecordView, slot: PartitionSlot, task: StageTask, progress: DeliveryTracker.Progress,
        wallClock: Int64, counts: inout BatchCounts
    ) throws {
        let source = SourcePosition(topic: slot.partition.topic, partition: record.partition, offset: record.offset)
        // Built once and lent to `process`: the record does not outlive this call (so the
        // `defer` above can tell whether the stage kept it). Its headers are read from the
        // message only if the stage, a forward or a dead letter asks for them.
        let input = StageRecord(lent: lent, timestampMilliseconds: record.timestampMilliseconds)
        if slot.isFresh {
            if let end = catchUpEnds[slot.partition] {
                if record.offset < end {
                    task.context.isCatchingUp = true
                    defer { task.context.isCatchingUp = false }
                    _ = try task.process(input, from: source, wallClockMilliseconds: wallClock)
                    task.drainOutputs { _ in }
                    statistics.caughtUp += 1
                    return
                }
                catchUpEnds[slot.partition] = nil
            }
            if let assigned = assignedAt.removeValue(forKey: slot.partition) {
                statistics.lastRestore = assigned.duration(to: clock.now)
                statistics.lastRestorePartition = slot.partition
            }
            slot.isFresh = false
        }
        let tag = tracker.begin(offset: record.offset, in: progress)
        let rejected: Bool
        untilLatencySample -= 1
        if untilLatencySample == 0 {
            untilLatencySample = StageStatistics.processingLatencySampling
            let start = Self.monotonicNanoseconds()
            rejected = try task.process(input, from: source, wallClockMilliseconds: wallClock) != nil
            statistics.processingLatency.record(seconds: Double(Self.monotonicNanoseconds() - start) * 1e-9)
        } else {
            rejected = try task.process(input, from: source, wallClockMilliseconds: wallClock) != nil
        }
        counts.recordsIn += 1
        if rejected { counts.deadLettered += 1 }
        let produced = try produceOutputs(of: task, inputOffset: record.offset, tag: tag, progress: progress)
        counts.recordsOut += rejected ? produced - 1 : produced
    }

    /// Applies a restore's resume offset at the partition's first record (then the fetcher
    /// has started and a seek cannot be overridden) and drops records fetched from before
    /// it: those of a partition sought in this poll and those below the resume offset.
    private func admit(_ record: KafkaConsumerRecordView, slot: PartitionSlot) -> Bool {
        if let resume = slot.pendingResume {
            slot.pendingResume = nil
            slot.resumeFloor = resume
            if record.offset != resume {
                seeks.append(KafkaTopicPartitionOffset(slot.partition, offset: KafkaOffset(resume)))
                slot.isSeeking = true
            }
        }
        if slot.isSeeking { return false }
        if let floor = slot.resumeFloor, record.offset < floor { return false }
        return true
    }

    /// Seeks the partitions `admit` found at the wrong offset.
    private func applySeeks() throws {
        guard !seeks.isEmpty else { return }
        defer { seeks.removeAll() }
        try consumer.seek(seeks)
        for seek in seeks { slots[seek.topicPartition]?.isSeeking = false }
    }

    /// Enqueues a task's forwarded records, tagged with the input they came from (or, without
    /// an input, with a barrier at the task's position); returns how many.
    @discardableResult
    private func produceOutputs(
        of task: StageTask, inputOffset: Int64? = nil, tag inputTag: UInt64 = 0,
        progress: DeliveryTracker.Progress? = nil
    ) throws -> Int {
        guard task.hasOutputs else { return 0 }
        let partition = task.id.topicPartition
        let (tag, offset) = inputOffset != nil ? (inputTag, inputOffset) : tracker.barrier(partition)
        // Exactly-once tasks have producers of their own (resolved by name there).
        let taskProducer = transactions?.producer(for: partition)
        task.reverseOutputs()
        defer { task.discardOutputs() }
        var count = 0
        do {
            // Each record is moved out (popped) and read as a `let`: reading them in place
            // through a closure, or lent `inout`, copied each one (retains and releases of its
            // fields, ~7% of the no-op runner's thread).
            while let output = task.popOutput() {
                try produce(output.record, to: output.topic, tag: tag, taskProducer: taskProducer)
                if let progress {
                    tracker.enqueued(tag: tag, progress: progress, offset: offset)
                } else {
                    tracker.enqueued(tag: tag, partition: partition, offset: offset)
                }
                count += 1
            }
        } catch {
            // A fenced transactional producer fails its next enqueue (librdkafka raises the
            // fatal error as soon as the broker refuses to add the partition).
            guard transactions != nil else { throw error }
            throw StageFenced.wrapping(
                error, transactionalID: TaskTransactions.transactionalID(
                    prefix: configuration.transactionalIDPrefix, partition: partition))
        }
        return count
    }

    /// Enqueues one forwarded record, tagged `tag`, to the task's producer (exactly-once) or
    /// the shared one.
    @inline(__always)
    private func produce(
        _ record: StageRecord, to topic: String, tag: UInt64, taskProducer: KafkaProducer?
    ) throws(KafkaError) {
        // A forwarded input (the common case) without a closure: a closure's captures of the
        // record cost retains and releases of its fields (~4% of the no-op runner's thread).
        if let (key, value) = record.lentBytes(onLendingThread: thread) {
            return try enqueue(record, key: key, value: value, to: topic, tag: tag, taskProducer: taskProducer)
        }
        try record.withUnsafeKeyAndValueBytes { (key, value) throws(KafkaError) in
            try enqueue(record, key: key, value: value, to: topic, tag: tag, taskProducer: taskProducer)
        }
    }

    @inline(__always)
    private func enqueue(
        _ record: StageRecord, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, to topic: String,
        tag: UInt64, taskProducer: KafkaProducer?
    ) throws(KafkaError) {
        if let taskProducer {
            try taskProducer.enqueue(
                topic: topic, keyBytes: key, valueBytes: value, headers: record.headers,
                partition: record.partition, timestampMilliseconds: record.timestampMilliseconds,
                deliveryTag: tag)
        } else {
            try producer.enqueue(
                to: outputTopics.topic(topic), keyBytes: key, valueBytes: value, headers: record.headers,
                partition: record.partition, timestampMilliseconds: record.timestampMilliseconds,
                deliveryTag: tag)
        }
    }

    private func punctuateWallClock(_ now: Int64) throws {
        for task in ownedTasks {
            guard task.hasWallClockSchedules else { continue }
            try task.punctuateWallClock(now)
            if task.hasOutputs {
                statistics.recordsOut += try produceOutputs(of: task)
            }
        }
    }

    // MARK: - Delivery, commit, backpressure

    private func absorbDeliveryReports() throws {
        // Served here, on the thread that produced the records (see `serveDeliveryReports`);
        // the delivered tags served here come back in `collectedTags`, the others (served by
        // the poll thread, or inside an enqueue that waited) through the inbox.
        collectedTags.removeAll(keepingCapacity: true)
        producer.serveDeliveryReports(appendingDeliveredTagsTo: &collectedTags)
        tracker.delivered(tags: collectedTags)
        statistics.delivered += collectedTags.count
        let reports = inbox.take(tags: &deliveredTags)
        tracker.delivered(tags: deliveredTags)
        statistics.delivered += deliveredTags.count
        for report in reports {
            tracker.delivered(report)
            if report.error == nil {
                statistics.delivered += 1
            } else {
                statistics.deliveryFailures += 1
            }
        }
        if let failed = tracker.failures.first { throw StageDeliveryFailure(report: failed) }
    }

    /// Waits for every output to be confirmed.
    private func flushOutputs() throws {
        try producer.flush(timeout: configuration.flushTimeout)
        try absorbDeliveryReports()
    }

    /// Commits what is delivered (at-least-once). The periodic commit (`waiting` false) sends
    /// only the partitions that moved since the last commit and does not wait for the broker:
    /// a synchronous commit held the runner's thread, and every record behind it, for a
    /// coordinator round trip every `commitInterval` (in `bench pipeline`'s latency run on the
    /// embedded broker, the step after processing took over 3 ms 3–5 times per stage in 12 s,
    /// up to 19 ms; with this, 0–1 times). A failed background commit (e.g. "rebalance in
    /// progress") shows in the consumer's `lastError`; its inputs may be replayed. Revocation
    /// and shutdown (`waiting` true) commit every partition of `partitions` (default: all
    /// owned) — also those a background commit may have failed to store — and wait. A failed
    /// commit is counted.
    private func commitDelivered(_ partitions: [KafkaTopicPartition]? = nil, waiting: Bool) {
        var offsets: [KafkaTopicPartitionOffset] = []
        for partition in partitions ?? owned {
            guard let next = tracker.committable(partition), waiting || committed[partition] != next else { continue }
            offsets.append(KafkaTopicPartitionOffset(partition, offset: KafkaOffset(next)))
        }
        guard !offsets.isEmpty else { return }
        do {
            if waiting { try consumer.commit(offsets) } else { try consumer.commitAsync(offsets) }
            for offset in offsets { committed[offset.topicPartition] = offset.offset.rawValue }
            statistics.commits += 1
        } catch {
            statistics.commitFailures += 1
        }
    }

    /// Exactly-once: for every task, checkpoints its state (the stage's `checkpoint`), then
    /// commits its transaction — outputs, checkpoint and input offset together. The closing
    /// commit (`reopen` false: revocation, shutdown) sends the input offset even when it did not
    /// move: Tansu 0.6 was seen to keep the offset of a task's previous transaction instead of
    /// its last one (docs/guarantees.md), and the closing commit leaves the right one.
    private func commitTransactions(_ partitions: [KafkaTopicPartition]? = nil, reopen: Bool = true) throws {
        guard let transactions else { return }
        for partition in partitions ?? owned {
            // Mid catch-up the task is behind the committed offset: nothing of it may commit.
            guard let task = tasks[partition], catchUpEnds[partition] == nil,
                  (!reopen && task.nextOffset != nil) || transactions.hasWork(partition, next: task.nextOffset)
            else { continue }
            try transactions.commit(
                partition, next: task.nextOffset, groupMetadata: { try consumer.groupMetadata() }, reopen: reopen)
            committed[partition] = task.nextOffset
            statistics.commits += 1
        }
        try absorbDeliveryReports()
    }

    private func applyBackpressure() throws {
        if !paused && tracker.inFlight > configuration.maxInFlightOutputs {
            try consumer.pause(owned)
            paused = true
            statistics.pauses += 1
        } else if paused && tracker.inFlight <= configuration.maxInFlightOutputs / 2 {
            try consumer.resume(owned)
            paused = false
            // Before 2.3 a resume does not wake the fetchers either.
            fetchWaker?.wake(owned)
        }
    }

    /// During a backlog, and once it drained, librdkafka before 2.3 may have stopped fetching
    /// for a full prefetch queue: wake the fetchers as ``FetchWakePolicy`` says.
    private func wakeFetchersIfBehind(_ fetchWaker: KafkaFetchWaker, taken: Int, bytes: Int) {
        if fetchWakes.shouldWake(afterTaking: taken, bytes: bytes, canWake: !paused && !owned.isEmpty) {
            fetchWaker.wake(owned)
        }
    }

    // MARK: - Rebalance

    private func rebalance(_ event: KafkaRebalanceEvent) {
        guard !handlerDisabled, failure == nil else { return }
        do {
            switch event.kind {
            case .assigned: try assign(event.partitions)
            case .revoked: try revoke(event.partitions, lost: event.isLost)
            }
        } catch {
            failure = error
            handlerDisabled = true
        }
        publishStatistics()
    }

    private func assign(_ partitions: [KafkaTopicPartition]) throws {
        statistics.rebalances += 1
        restorer.isCaching = true
        defer { restorer.isCaching = false }
        // Fence every predecessor first: its open transactions hold back what read_committed
        // restore reads see of a shared topic, and the first read is cached for all tasks.
        for partition in partitions where tasks[partition] == nil {
            assignedAt[partition] = clock.now
            try transactions?.open(partition)
        }
        for partition in partitions where tasks[partition] == nil {
            let task = try StageTask(
                id: StageTaskID(stage: configuration.stage, topicPartition: partition), factory: runner.factory,
                topics: configuration.topics, restorer: following, wallClockMilliseconds: Self.wallClock())
            tracker.forget(partition)
            let resume = try task.restore(wallClockMilliseconds: Self.wallClock())
            tasks[partition] = task
            let slot = PartitionSlot(partition: partition, task: task, progress: tracker.progress(partition))
            slot.pendingResume = resume
            slots[partition] = slot
            catchUpEnds[partition] = nil
            if transactions != nil, let resume,
               let next = try consumer.committed([partition]).first?.offset, next.isConcrete, next.rawValue > resume
            {
                catchUpEnds[partition] = next.rawValue
            }
            statistics.recordsOut += try produceOutputs(of: task)
        }
        owned = tasks.keys.sorted()
        lastSlot = nil
        if paused { try consumer.pause(partitions) }
    }

    /// Checkpoints and closes the tasks of `partitions`, flushes their final records and
    /// commits their offsets before the consumer gives them up. Lost partitions belong to
    /// someone else already: their final records are dropped and nothing is committed.
    private func revoke(_ partitions: [KafkaTopicPartition], lost: Bool) throws {
        let now = Self.wallClock()
        for partition in partitions {
            guard let task = tasks[partition] else { continue }
            try task.end(lost ? .lost : .revoked, wallClockMilliseconds: now)
            if lost {
                task.drainOutputs { _ in }
            } else {
                statistics.recordsOut += try produceOutputs(of: task)
            }
        }
        if transactions != nil {
            if !lost { try commitTransactions(partitions.filter { tasks[$0] != nil }, reopen: false) }
            for partition in partitions {
                transactions?.close(partition, abort: lost || catchUpEnds[partition] != nil)
            }
        } else if !lost {
            try flushOutputs()
            commitDelivered(partitions, waiting: true)
        }
        for partition in partitions {
            tasks[partition] = nil
            slots[partition] = nil
            tracker.forget(partition)
            committed[partition] = nil
            lags[partition] = nil
            catchUpEnds[partition] = nil
            assignedAt[partition] = nil
        }
        // A seek decided earlier in this poll (at a partition's first record) must not reach a
        // partition given up since: librdkafka refuses it (`_STATE`: not being fetched) and
        // the stage would fail. If the partition comes back, its new task decides again.
        let revoked = Set(partitions)
        seeks.removeAll { revoked.contains($0.topicPartition) }
        owned = tasks.keys.sorted()
        lastSlot = nil
    }

    // MARK: - Shutdown

    private func shutDownGracefully() throws {
        let now = Self.wallClock()
        for partition in owned {
            let task = tasks[partition]!
            try task.end(.shutdown, wallClockMilliseconds: now)
            statistics.recordsOut += try produceOutputs(of: task)
        }
        if let transactions {
            try commitTransactions(owned, reopen: false)
            for partition in owned { transactions.close(partition, abort: catchUpEnds[partition] != nil) }
        }
        try flushOutputs()
        // Exactly-once commits input offsets only inside the tasks' transactions (above).
        if transactions == nil { commitDelivered(waiting: true) }
        publishStatistics()
        tasks = [:]
        slots = [:]
        owned = []
        lastSlot = nil
        handlerDisabled = true
        fetchWaker?.stop()
        try consumer.close()
        producer.close()
        following.close()
        publishStatistics()
    }

    /// After a failure: leave without committing anything more.
    private func abandon() {
        handlerDisabled = true
        transactions?.closeAll()
        fetchWaker?.stop()
        try? consumer.close()
        producer.close(flushTimeout: .seconds(1))
        following.close()
        publishStatistics()
    }

    // MARK: - Statistics

    private func refreshLag() {
        guard !tasks.isEmpty, let lag = try? consumer.lag(timeout: .seconds(1)) else { return }
        for entry in lag where tasks[entry.topicPartition] != nil {
            lags[entry.topicPartition] = entry.lag
        }
    }

    /// Publishes `statistics`. The owned partitions' view is rebuilt when `rebuildingPartitions`
    /// or once `partitionsInterval` has passed since it last was: rebuilding it after every
    /// poll took ~5% of the no-op runner's thread (34 partitions; polls woken by deliveries).
    private func publishStatistics(rebuildingPartitions: Bool = true) {
        statistics.inFlight = tracker.inFlight
        statistics.isPaused = paused
        let now = Self.monotonicNanoseconds()
        if rebuildingPartitions || now - partitionsPublishedAt >= Self.partitionsInterval {
            partitionsPublishedAt = now
            statistics.partitions = owned.map { partition in
                StageStatistics.Partition(
                    topicPartition: partition, nextOffset: tasks[partition]?.nextOffset,
                    committedOffset: committed[partition], lag: lags[partition])
            }
        }
        let snapshot = statistics
        runner.statisticsBox.withLock { $0 = snapshot }
    }

    /// The monotonic clock in nanoseconds, read directly: two `ContinuousClock.now` and their
    /// `Duration` arithmetic per record cost ~10% of the no-op runner's thread.
    @inline(__always)
    static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    static func wallClock() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// What one batch's records add to ``StageStatistics``.
private struct BatchCounts {
    var recordsIn = 0
    var recordsOut = 0
    var deadLettered = 0
    /// Key and value bytes taken (for ``FetchWakePolicy``).
    var bytesIn = 0

    func add(to statistics: inout StageStatistics) {
        statistics.recordsIn += recordsIn
        statistics.recordsOut += recordsOut
        statistics.deadLettered += deadLettered
    }
}

/// An owned partition as the per-record path sees it: its task and delivery progress, and
/// whether it still has to finish a catch-up or report its restore time.
private final class PartitionSlot {
    let partition: KafkaTopicPartition
    /// Not retained, and borrowed per record without a retain (a retain and release per
    /// record each otherwise): `tasks` and the tracker hold them for exactly as long as
    /// `slots` holds this slot — assign adds, revoke and shutdown remove all three together.
    let task: Unmanaged<StageTask>
    let progress: Unmanaged<DeliveryTracker.Progress>
    /// Until its first record past the catch-up: `handle` consults `catchUpEnds` and
    /// `assignedAt` only while this is set. (These are read per record on the loop's thread
    /// only: unchecked exclusivity, as the loop's own per-record state.)
    @exclusivity(unchecked) var isFresh = true
    /// The consumer's topic handle of its records (see `KafkaConsumerRecordView.topicHandle`).
    @exclusivity(unchecked) var topicHandle: OpaquePointer?
    /// The offset a restore asked to resume from, until the partition's first record.
    @exclusivity(unchecked) var pendingResume: Int64?
    /// Records below it are stale fetches from before a resume seek.
    @exclusivity(unchecked) var resumeFloor: Int64?
    /// A resume seek is decided in this poll: its remaining records are stale.
    @exclusivity(unchecked) var isSeeking = false

    init(partition: KafkaTopicPartition, task: StageTask, progress: DeliveryTracker.Progress) {
        self.partition = partition
        self.task = .passUnretained(task)
        self.progress = .passUnretained(progress)
    }
}

