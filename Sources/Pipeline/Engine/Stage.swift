/// One processing step of a pipeline, in the shape of Kafka Streams' `Processor`: it takes one
/// input record at a time and emits records to named outputs through its ``StageContext``.
///
/// The engine creates one instance per task (one input partition) with the runner's factory,
/// so an instance only ever sees the records of its partition, in offset order, on one thread.
/// Lifecycle of an instance:
///
/// 1. ``restore(context:)`` once, when its partition is assigned, before any record: read the
///    state a predecessor checkpointed (e.g. the latest model document) with
///    ``StageContext/latestRecord(in:key:)`` and register punctuations with
///    ``StageContext/schedule(_:every:on:)``.
/// 2. ``process(_:context:)`` for every input record. Throw ``StageRejection`` (or any error)
///    for a record it cannot handle: the engine sends that record unchanged to the dead-letter
///    topic, discards what this call forwarded, and goes on with the next record.
/// 3. ``punctuate(_:context:)`` whenever a scheduled punctuation is due (stream or wall-clock
///    time).
/// 4. ``checkpoint(context:)`` then ``close(_:context:)`` when the partition is revoked or the
///    runner shuts down: the last chance to emit (e.g. publish the model). Both run before the
///    engine flushes outputs and commits the task's offsets.
///
/// Stages may be structs (mutating methods) or classes. Every method except `process` has a
/// default that does nothing.
public protocol Stage {
    /// Restores state when the task starts (partition assigned). Errors stop the runner.
    mutating func restore(context: StageContext) throws

    /// Handles one input record; `context.source` tells where it came from.
    mutating func process(_ record: StageRecord, context: StageContext) throws

    /// Runs a scheduled punctuation. Errors stop the runner.
    mutating func punctuate(_ punctuation: Punctuation, context: StageContext) throws

    /// Emits the state a successor task needs to restore. Called before `close` on
    /// revocation and shutdown. Errors stop the runner.
    mutating func checkpoint(context: StageContext) throws

    /// The task ends. Records forwarded here are still produced before the commit.
    mutating func close(_ reason: TaskCloseReason, context: StageContext) throws
}

extension Stage {
    public mutating func restore(context: StageContext) throws {}
    public mutating func punctuate(_ punctuation: Punctuation, context: StageContext) throws {}
    public mutating func checkpoint(context: StageContext) throws {}
    public mutating func close(_ reason: TaskCloseReason, context: StageContext) throws {}
}

/// Makes the stage instance of a task. Called on the runner's thread when a partition is
/// assigned; an error stops the runner.
public typealias StageFactory = @Sendable (StageTaskID) throws -> any Stage
