import Kafka
import OnlineML

/// The detect stage's state store: its detectors, checkpointed to the changelog topic
/// (``DetectCheckpointRecord``, `NAME.detect-changelog`) and restored on assignment.
///
/// Like the learner's model documents: a checkpoint is forwarded like any output, so under
/// `exactly_once` it commits in the same transaction as the alerts and input offsets around it.
/// A checkpoint is taken every ``checkpointInterval`` inputs and when the task is revoked or
/// shut down. On assignment the task restores the latest checkpoint and resumes at its input
/// position; the runner re-processes silently what a predecessor committed after it (the
/// catch-up), so the windows at the committed offset are exactly the predecessor's. A task with
/// no checkpoint starts at offset 0 (its detectors' state is a function of the whole partition).
extension DetectStage {
    /// Inputs between two checkpoints (`stages.detect.checkpoint.every_events`): the most a
    /// restore re-processes.
    var checkpointInterval: Int64 {
        Int64(topology.stages.detect?.checkpoint.everyEvents ?? CheckpointSettings().everyEvents)
    }

    /// The header carrying a part's input position, so a restore matches parts to their commit
    /// record without decoding the parts of other checkpoints.
    static let inputNextHeader = "driftline.checkpoint.input_next"

    mutating func restore(context: StageContext) throws {
        let changelog = StageOutput.topic(DetectCheckpointRecord.topic(for: topology))
        let base = DetectCheckpointRecord.commitKey(topic: task.topic, partition: task.partition)
        var commitRecord: KafkaConsumerRecord?
        var parts: [(key: String, record: KafkaConsumerRecord)] = []
        for record in try context.records(in: changelog) where !record.isTombstone {
            guard let bytes = record.key else { continue }
            let key = String(decoding: bytes, as: UTF8.self)
            if key == base {
                commitRecord = record
            } else if key.hasPrefix(base + "/") {
                parts.append((key, record))
            }
        }
        guard let commitRecord else {
            context.resume(from: 0)
            return
        }
        let checkpoint = try DetectCheckpointRecord(decoding: commitRecord.value)
        guard let commit = checkpoint.commit else {
            throw StageRejection("detect checkpoint \(base) has no commit part")
        }
        let position = String(checkpoint.inputNext)
        /// The part stored under `key` for this checkpoint (the last copy: identical if several).
        func part(_ key: String) throws -> DetectCheckpointRecord {
            guard let found = parts.last(where: {
                $0.key == key && ModelRecordHeaders.value(Self.inputNextHeader, in: $0.record.headers) == position
            }) else {
                throw StageRejection("detect checkpoint \(base) at \(position) misses its part \(key)")
            }
            return try DetectCheckpointRecord(decoding: found.record.value)
        }
        if commit.hasConcept, let fresh = conceptDetector {
            let restored = try part(base + "/concept").concept
            // A detector configured differently since the checkpoint starts afresh.
            if let restored, restored.name == fresh.name, restored.parameters == fresh.parameters {
                conceptDetector = restored
            }
        }
        if let summary = commit.monitor, let fresh = dataMonitor, summary.configuration == fresh.configuration {
            let features = try summary.features.map { name in
                guard let feature = try part(base + "/feature/" + name).feature else {
                    throw StageRejection("detect checkpoint \(base) at \(position): part \(name) is not a feature")
                }
                return feature
            }
            dataMonitor = try FeatureDriftMonitor(summary: summary, features: features)
        }
        sourceNext = commit.sourceNext.map { .init(topic: $0.topic, partition: $0.partition, offset: $0.offset) }
        inputNext = checkpoint.inputNext
        checkpointedNext = checkpoint.inputNext
        context.resume(from: checkpoint.inputNext)
    }

    mutating func checkpoint(context: StageContext) throws {
        guard let inputNext, inputNext != checkpointedNext else { return }
        writeCheckpoint(inputNext: inputNext, context: context)
    }

    /// Before the input at `offset`: checkpoints the state after the inputs before it, when
    /// ``checkpointInterval`` inputs went by since the last checkpoint. (Should that input be
    /// dead-lettered, the engine drops this checkpoint with its other forwards; the next one
    /// comes an interval later, and the previous one still restores exactly.)
    mutating func checkpointIfDue(before offset: Int64, context: StageContext) {
        guard let inputNext, inputNext - (checkpointedNext ?? 0) >= checkpointInterval
        else { return }
        writeCheckpoint(inputNext: inputNext, context: context)
    }

    /// Forwards every part, the commit record last.
    private mutating func writeCheckpoint(inputNext: Int64, context: StageContext) {
        let changelog = StageOutput.topic(DetectCheckpointRecord.topic(for: topology))
        var records: [DetectCheckpointRecord] = []
        let blank = DetectCheckpointRecord(topic: task.topic, partition: task.partition, inputNext: inputNext)
        var commit = DetectCheckpointRecord.Commit(
            sourceNext: sourceNext.map { .init(topic: $0.topic, partition: $0.partition, offset: $0.offset) },
            hasConcept: false, monitor: nil)
        if let conceptDetector, let wrapped = AnyDriftDetector(conceptDetector) {
            var record = blank
            record.concept = wrapped
            records.append(record)
            commit.hasConcept = true
        }
        if let dataMonitor {
            let parts = dataMonitor.checkpointParts
            for feature in parts.features {
                var record = blank
                record.feature = feature
                records.append(record)
            }
            commit.monitor = parts.summary
        }
        var record = blank
        record.commit = commit
        records.append(record)
        let header = KafkaHeader(name: Self.inputNextHeader, string: String(inputNext))
        for record in records {
            let value: [UInt8]
            do {
                value = try record.encoded()
            } catch {
                // Only non-finite floats can fail, and the encoder writes those as strings.
                preconditionFailure("encoding a detect checkpoint failed: \(error)")
            }
            context.forward(StageRecord(key: Array(record.key.utf8), value: value, headers: [header]), to: changelog)
        }
        checkpointedNext = inputNext
    }
}
