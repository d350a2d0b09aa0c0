import Foundation
import Kafka
import OnlineML

/// Rebuilds model versions from the input records their lineage names, the way the learn
/// stage built them: each event (in offset order per partition) goes through
/// ``PrequentialLearner`` at its own input position, so the rebuilt documents carry the same
/// `training_offsets` and — processing being deterministic — the same `content_hash`.
///
/// The `on_drift` actions the documents record (``RecordedDriftAction``) are re-applied at
/// their recorded positions with their recorded causes, so versions after a reset or a
/// promotion are rebuilt too; the replay then starts from the first input of the model key.
/// The transform stage's rejections are reproduced by the same parser and learner checks.
public enum ModelReplay {
    /// One input record of a slice: where it was and its bytes.
    public struct SliceRecord: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var value: [UInt8]

        public init(topic: String, partition: Int32, offset: Int64, value: [UInt8]) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.value = value
        }
    }

    /// What a replay made.
    public struct Outcome: Sendable {
        /// Every version completed while replaying, oldest first.
        public var completed: [ModelDocument]
        /// The model after the last record (the version in progress, or the last completed).
        public var current: ModelDocument?

        /// The rebuilt document of `version`: a completed one, else the one in progress.
        public func document(version: Int) -> ModelDocument? {
            completed.last { $0.version == version } ?? (current?.version == version ? current : nil)
        }
    }

    /// Replays `records` (in the given order) with `topology`'s learner, applying each of
    /// `actions` before the first record of its source partition at or after its recorded
    /// source offset (the actions left when the records end are applied after them).
    public static func rebuild(
        topology: Topology, records: [SliceRecord], actions: [RecordedDriftAction] = []
    ) throws -> Outcome {
        guard let configuration = topology.modelPipelineConfiguration() else {
            throw ReplayError("the topology has no learn stage to replay")
        }
        var learner = PrequentialLearner(
            name: topology.name, configuration: configuration, publishEvery: topology.stages.learn?.publish.everyEvents)
        var completed: [ModelDocument] = []
        var pending = actions[...]
        func apply(_ action: RecordedDriftAction) {
            switch action.kind {
            case .reset(let scope):
                completed += learner.reset(scope: scope, cause: action.cause)
            case .challenger(let length, let startedAt):
                learner.startChallenger(length: length, at: startedAt, cause: action.cause)
            }
        }
        for record in records {
            while let action = pending.first, action.position.source.topic == record.topic,
                  action.position.source.partition == Int(record.partition),
                  Int(record.offset) >= action.position.source.offset
            {
                apply(action)
                pending.removeFirst()
            }
            guard record.value.count <= BuiltInStages.maxRecordBytes,
                  let event = try? JSONEventParser.parse(record.value)
            else { continue }
            let position = InputPosition(topic: record.topic, partition: Int(record.partition), offset: Int(record.offset))
            guard let step = try? learner.step(event, at: position, documents: true) else { continue }
            completed += step.completed
        }
        for action in pending { apply(action) }
        return Outcome(completed: completed, current: learner.versionEvents > 0 || completed.isEmpty ? learner.document : completed.last)
    }

    /// The input ranges (inclusive) a replay of `version` needs: per source partition from the
    /// first offset any version up to it learned from to the last — or to just before the last
    /// recorded action's position, whose model (a reset's transformer statistics) depends on
    /// every event before it.
    public static func inputRanges(documents: [ModelDocument], actions: [RecordedDriftAction]) -> [TrainingOffsetRange] {
        var ranges: [TrainingOffsetRange] = []
        func cover(topic: String, partition: Int, first: Int, last: Int) {
            guard first <= last else { return }
            if let index = ranges.firstIndex(where: { $0.topic == topic && $0.partition == partition }) {
                ranges[index].first = min(ranges[index].first, first)
                ranges[index].last = max(ranges[index].last, last)
            } else {
                ranges.append(TrainingOffsetRange(topic: topic, partition: partition, first: first, last: last))
            }
        }
        for document in documents {
            for range in document.trainingOffsets {
                cover(topic: range.topic, partition: range.partition, first: range.first, last: range.last)
            }
            if let trial = document.lineage?["challenger_trial"]?["challenger"],
               let offsets = trial["training_offsets"]?.arrayValue
            {
                for range in offsets.compactMap({ try? TrainingOffsetRange(json: $0) }) {
                    cover(topic: range.topic, partition: range.partition, first: range.first, last: range.last)
                }
            }
        }
        for action in actions {
            let source = action.position.source
            cover(topic: source.topic, partition: source.partition, first: 0, last: source.offset - 1)
        }
        return ranges
    }

    /// The records of `ranges` (inclusive) among `records`, in range order then offset order.
    public static func slice(_ records: [KafkaConsumerRecord], ranges: [TrainingOffsetRange]) -> [SliceRecord] {
        var result: [SliceRecord] = []
        for range in ranges {
            let selected = records
                .filter {
                    $0.topic == range.topic && Int($0.partition) == range.partition && $0.offset >= Int64(range.first)
                        && $0.offset <= Int64(range.last)
                }
                .sorted { $0.offset < $1.offset }
            var seen = Set<Int64>()
            for record in selected where seen.insert(record.offset).inserted {
                result.append(
                    SliceRecord(topic: record.topic, partition: record.partition, offset: record.offset, value: record.value))
            }
        }
        return result
    }

    /// Compares rebuilt versions with recorded ones (version → content hash), oldest first.
    /// - Returns: nil when every recorded version up to `version` matches, else a message naming
    ///   the first differing version and the offsets it covers.
    public static func firstMismatch(
        outcome: Outcome, recorded: [(version: Int, hash: String, ranges: [TrainingOffsetRange])], upTo version: Int
    ) -> String? {
        for entry in recorded.sorted(by: { $0.version < $1.version }) where entry.version <= version {
            guard let rebuilt = outcome.document(version: entry.version) else {
                return "version \(entry.version) was not rebuilt (the slice ends before it completes)"
            }
            if rebuilt.contentHash != entry.hash {
                let covered = entry.ranges.map { "\($0.topic)[\($0.partition)] \($0.first)...\($0.last)" }
                    .joined(separator: ", ")
                return """
                    first differing version: \(entry.version) (recorded \(entry.hash), rebuilt \(rebuilt.contentHash)); \
                    it covers \(covered)
                    """
            }
        }
        return nil
    }
}

/// A replay could not run.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
