import Kafka

/// What a stage sees of the engine while one of its methods runs (Kafka Streams'
/// `ProcessorContext`): forward records to outputs, dead-letter the current input, schedule
/// punctuations, read a topic to restore state, and know where the current input came from.
///
/// One context belongs to one task and is only used on that task's thread; don't keep it
/// across calls on another thread.
///
/// The fields the engine sets around every record are exempt from dynamic exclusivity checks
/// (`@exclusivity(unchecked)`, ~10% of a no-op stage's thread with them): they are only used
/// on the task's thread, the stage can only read them, and no access to them spans a call
/// that could reach them again (each is a plain read or write, or an append or removal).
public final class StageContext {
    /// The stage and input partition of this task.
    public let task: StageTaskID
    /// How output roles resolve to topic names.
    public let topics: StageTopics
    /// Where the record being processed came from; nil outside `process`.
    public internal(set) var source: SourcePosition? {
        get { currentSource }
        set { currentSource = newValue }
    }
    /// `source`'s storage. Behind an accessor because a stage in another module reading a
    /// stored property of this class directly still checked exclusivity on every read (the
    /// bench's no-op stage reads `source` per record).
    @exclusivity(unchecked) private var currentSource: SourcePosition?
    /// The largest input timestamp this task has seen (including the current record); nil
    /// before any input with a timestamp.
    @exclusivity(unchecked) public internal(set) var streamTimeMilliseconds: Int64?
    /// The runner's wall clock (the test driver's manual clock), milliseconds since the epoch.
    @exclusivity(unchecked) public internal(set) var wallClockMilliseconds: Int64
    /// Whether the runner is re-processing inputs whose outputs a predecessor already
    /// committed (the catch-up after a restore under exactly-once): what the stage forwards
    /// now is dropped, so a stage must not take run-time decisions (like applying an alert it
    /// reads from a control topic) — the predecessor's committed outputs were made without them.
    public internal(set) var isCatchingUp = false

    let restorer: any StateRestorer
    /// Records forwarded and not yet taken by the runner or driver.
    @exclusivity(unchecked) var pending: [OutgoingRecord] = []
    /// Set by `deadLetter` during `process`.
    @exclusivity(unchecked) var deadLetterReason: String?
    /// Registered punctuations, in registration order. Read twice per input record (whether
    /// any are due), so unchecked like the fields above: every access is a plain read or write
    /// of the array or one element, or a search; none spans a call into the stage.
    @exclusivity(unchecked) var schedules: [PunctuationSchedule] = []
    /// Set by `resume(from:)` during `restore`.
    var resumeOffset: Int64?

    init(task: StageTaskID, topics: StageTopics, restorer: any StateRestorer, wallClockMilliseconds: Int64) {
        self.task = task
        self.topics = topics
        self.restorer = restorer
        self.wallClockMilliseconds = wallClockMilliseconds
    }

    /// The stage name.
    public var stage: String { task.stage }

    /// Sends `record` to `output` once the current call returns. A `process` call that throws
    /// has its forwards discarded (the input is dead-lettered instead). The record is taken
    /// (`consuming`): a caller passing a value for the last time hands it over without a copy.
    public func forward(_ record: consuming StageRecord, to output: StageOutput) {
        pending.append(OutgoingRecord(topic: topics.name(for: output), record: record))
    }

    /// Dead-letters the current input record with `reason`, like throwing ``StageRejection``
    /// but keeping what this call forwarded. Only meaningful inside `process`.
    public func deadLetter(_ reason: String) {
        deadLetterReason = reason
    }

    /// Calls ``Stage/punctuate(_:context:)`` with `name` every `interval` of `type` time.
    /// Scheduling a name again replaces its schedule. Stream-time schedules start at the
    /// stream time when scheduled (or at the first input timestamp); wall-clock ones now.
    public func schedule(_ name: String, every interval: Duration, on type: PunctuationType) {
        let milliseconds = max(1, interval.milliseconds)
        let start: Int64? = type == .wallClock ? wallClockMilliseconds : streamTimeMilliseconds
        let schedule = PunctuationSchedule(
            name: name, type: type, intervalMilliseconds: milliseconds, nextDue: start.map { $0 + milliseconds })
        if let index = schedules.firstIndex(where: { $0.name == name }) {
            schedules[index] = schedule
        } else {
            schedules.append(schedule)
        }
    }

    /// Stops the punctuation called `name`.
    public func cancelSchedule(_ name: String) {
        schedules.removeAll { $0.name == name }
    }

    /// During `restore`: read this task's partition from `offset` instead of the group's
    /// committed offset, e.g. the offset after the last record the restored model learned
    /// from, so state and input line up exactly (records after it are processed again).
    public func resume(from offset: Int64) {
        resumeOffset = max(0, offset)
    }

    /// Every record of an output's topic up to its current end (see ``StateRestorer``).
    public func records(in output: StageOutput) throws -> [KafkaConsumerRecord] {
        try restorer.records(in: topics.name(for: output))
    }

    /// The last record with `key` on an output's topic, e.g. the latest model document.
    public func latestRecord(in output: StageOutput, key: [UInt8]) throws -> KafkaConsumerRecord? {
        try restorer.latestRecord(in: topics.name(for: output), key: key)
    }

    /// `latestRecord(in:key:)` with a UTF-8 key.
    public func latestRecord(in output: StageOutput, key: String) throws -> KafkaConsumerRecord? {
        try latestRecord(in: output, key: Array(key.utf8))
    }
}

/// A record a stage forwarded, with its resolved topic.
struct OutgoingRecord: Sendable, Hashable {
    var topic: String
    var record: StageRecord
}

/// One registered punctuation and when it is next due (nil: stream time not known yet).
struct PunctuationSchedule: Sendable, Hashable {
    var name: String
    var type: PunctuationType
    var intervalMilliseconds: Int64
    var nextDue: Int64?
}

extension Duration {
    /// Whole milliseconds (truncated).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
