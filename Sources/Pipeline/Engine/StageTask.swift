import Kafka

/// One stage instance driving one input partition: the code the Kafka runner and the test
/// driver share, so both process, dead-letter, punctuate and checkpoint records the same way.
///
/// Forwarded records collect in the context; the owner takes them with `drainOutputs` after
/// each call and produces them (runner) or appends them to in-memory topics (driver).
final class StageTask {
    let id: StageTaskID
    let context: StageContext
    /// Unchecked exclusivity (as the per-record fields of ``StageContext``): only this task's
    /// thread calls the stage, and nothing a stage can reach calls back into its task.
    @exclusivity(unchecked) private var stage: any Stage
    /// The offset after the last input handled (processed or dead-lettered); nil before any.
    @exclusivity(unchecked) private(set) var nextOffset: Int64?
    @exclusivity(unchecked) private(set) var processedCount = 0
    @exclusivity(unchecked) private(set) var deadLetteredCount = 0

    /// Creates the instance with `factory`. Call `restore` before the first record.
    init(
        id: StageTaskID, factory: StageFactory, topics: StageTopics, restorer: any StateRestorer,
        wallClockMilliseconds: Int64
    ) throws(StageFailure) {
        self.id = id
        context = StageContext(
            task: id, topics: topics, restorer: restorer, wallClockMilliseconds: wallClockMilliseconds)
        do {
            stage = try factory(id)
        } catch {
            throw StageFailure(phase: "create", task: id, underlying: error)
        }
    }

    /// Lets the stage restore its state (partition just assigned).
    /// - Returns: the offset the stage asked to resume from, if it did.
    @discardableResult
    func restore(wallClockMilliseconds: Int64) throws(StageFailure) -> Int64? {
        context.wallClockMilliseconds = wallClockMilliseconds
        context.resumeOffset = nil
        do {
            try stage.restore(context: context)
        } catch {
            throw StageFailure(phase: "restore", task: id, underlying: error)
        }
        defer { context.resumeOffset = nil }
        return context.resumeOffset
    }

    /// Handles one input: advances stream time, calls `process`, dead-letters the input if
    /// the stage rejected it, then runs stream-time punctuations that became due.
    /// - Returns: the dead-letter reason, or nil when the record was processed.
    /// - Throws: only when a punctuation fails (a bad record never throws).
    @discardableResult
    func process(_ input: KafkaConsumerRecord, wallClockMilliseconds: Int64) throws(StageFailure) -> String? {
        try process(
            StageRecord(input), from: SourcePosition(topic: input.topic, partition: input.partition, offset: input.offset),
            wallClockMilliseconds: wallClockMilliseconds)
    }

    /// `process(_:wallClockMilliseconds:)` for an input read at `source` (the runner's
    /// path: `input` may borrow its bytes, see ``LentRecordBytes``).
    @discardableResult
    func process(
        _ input: StageRecord, from source: SourcePosition, wallClockMilliseconds: Int64
    ) throws(StageFailure) -> String? {
        context.wallClockMilliseconds = wallClockMilliseconds
        if let timestamp = input.timestampMilliseconds {
            advanceStreamTime(to: timestamp)
        }
        context.source = source
        context.deadLetterReason = nil
        let forwardedBefore = context.pending.count
        var reason: String?
        do {
            try stage.process(input, context: context)
            reason = context.deadLetterReason
        } catch let rejection as StageRejection {
            context.pending.removeSubrange(forwardedBefore...)
            reason = rejection.reason
        } catch {
            context.pending.removeSubrange(forwardedBefore...)
            reason = String(describing: error)
        }
        context.source = nil
        context.deadLetterReason = nil
        nextOffset = source.offset + 1
        if let reason {
            deadLetteredCount += 1
            context.pending.append(
                OutgoingRecord(
                    topic: context.topics.deadLetters,
                    record: DeadLetterHeaders.deadLetter(for: input, from: source, stage: id.stage, error: reason)))
        } else {
            processedCount += 1
        }
        if !context.schedules.isEmpty {
            try punctuate(.streamTime, now: context.streamTimeMilliseconds)
        }
        return reason
    }

    /// Runs the wall-clock punctuations due at `wallClockMilliseconds`.
    func punctuateWallClock(_ wallClockMilliseconds: Int64) throws(StageFailure) {
        context.wallClockMilliseconds = wallClockMilliseconds
        try punctuate(.wallClock, now: wallClockMilliseconds)
    }

    /// Checkpoints and closes the stage; its final records are left in the context.
    func end(_ reason: TaskCloseReason, wallClockMilliseconds: Int64) throws(StageFailure) {
        context.wallClockMilliseconds = wallClockMilliseconds
        if reason != .lost {
            do {
                try stage.checkpoint(context: context)
            } catch {
                throw StageFailure(phase: "checkpoint", task: id, underlying: error)
            }
        }
        do {
            try stage.close(reason, context: context)
        } catch {
            throw StageFailure(phase: "close", task: id, underlying: error)
        }
    }

    /// Whether the stage registered a wall-clock punctuation (the runner skips the others
    /// each batch).
    var hasWallClockSchedules: Bool { context.schedules.contains { $0.type == .wallClock } }

    /// Whether records are waiting in `drainOutputs`.
    var hasOutputs: Bool { !context.pending.isEmpty }

    /// Hands every forwarded record to `body` in forwarding order and forgets them, each moved
    /// out of the context and lent `inout` (the test driver's way, and the runner's for
    /// outputs it drops). The runner produces through `reverseOutputs` and `popOutput`
    /// instead: a closure that reads the lent record still copied its fields per record.
    func drainOutputs<E: Error>(_ body: (inout OutgoingRecord) throws(E) -> Void) throws(E) {
        guard !context.pending.isEmpty else { return }
        defer { context.pending.removeAll(keepingCapacity: true) }
        context.pending.reverse()
        while !context.pending.isEmpty {
            var output = context.pending.removeLast()
            try body(&output)
        }
    }

    /// The runner's way to take the forwarded records: `reverseOutputs`, then `popOutput`
    /// until nil (or `discardOutputs`). Popping moves each record out, which the runner then
    /// reads as a `let`: no copy, retain or release of its fields beyond destroying it.
    func reverseOutputs() {
        if context.pending.count > 1 { context.pending.reverse() }
    }

    /// The next forwarded record after `reverseOutputs`, nil when none is left.
    func popOutput() -> OutgoingRecord? { context.pending.popLast() }

    /// Forgets the records not popped (keeping the storage). Usually all were popped: an
    /// empty array's `removeAll` still took a generic `replaceSubrange` call (~1% of a no-op
    /// stage's thread).
    func discardOutputs() {
        if !context.pending.isEmpty { context.pending.removeAll(keepingCapacity: true) }
    }

    private func advanceStreamTime(to timestamp: Int64) {
        guard timestamp > (context.streamTimeMilliseconds ?? .min) else { return }
        context.streamTimeMilliseconds = timestamp
        guard !context.schedules.isEmpty else { return }
        for index in context.schedules.indices
        where context.schedules[index].type == .streamTime && context.schedules[index].nextDue == nil {
            context.schedules[index].nextDue = timestamp + context.schedules[index].intervalMilliseconds
        }
    }

    /// Fires each due schedule of `type` once (in registration order) and moves it past `now`.
    private func punctuate(_ type: PunctuationType, now: Int64?) throws(StageFailure) {
        guard let now else { return }
        var index = 0
        while index < context.schedules.count {
            let schedule = context.schedules[index]
            index += 1
            guard schedule.type == type, let due = schedule.nextDue, due <= now else { continue }
            let intervals = (now - due) / schedule.intervalMilliseconds + 1
            context.schedules[index - 1].nextDue = due + intervals * schedule.intervalMilliseconds
            do {
                try stage.punctuate(
                    Punctuation(name: schedule.name, type: type, timeMilliseconds: now), context: context)
            } catch {
                throw StageFailure(phase: "punctuate", task: id, underlying: error)
            }
            // The stage may have cancelled or added schedules: find our place again.
            if let position = context.schedules.firstIndex(where: { $0.name == schedule.name }) {
                index = position + 1
            } else {
                index -= 1
            }
        }
    }
}
