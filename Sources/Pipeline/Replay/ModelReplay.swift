import Foundation
import Kafka
import OnlineML

/// Rebuilds model versions from the input records their lineage names, the way the learn
/// stage built them: each event (in offset order per partition) goes through
/// ``PrequentialLearner`` at its own input position, so the rebuilt documents carry the same
/// `training_offsets` and — processing being deterministic — the same `content_hash`.
///
/// Supported lineages start from zero (no `on_drift` reset before the version): a reset's
/// zero model depends on the alert the learner saw, which a replay of the events alone cannot
/// know. The transform stage's rejections are reproduced by the same parser and learner checks.
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

    /// Replays `records` (in the given order) with `topology`'s learner.
    public static func rebuild(topology: Topology, records: [SliceRecord]) throws -> Outcome {
        guard let configuration = topology.modelPipelineConfiguration() else {
            throw ReplayError("the topology has no learn stage to replay")
        }
        var learner = PrequentialLearner(
            name: topology.name, configuration: configuration, publishEvery: topology.stages.learn?.publish.everyEvents)
        var completed: [ModelDocument] = []
        for record in records {
            guard record.value.count <= BuiltInStages.maxRecordBytes,
                  let event = try? JSONEventParser.parse(record.value)
            else { continue }
            let position = InputPosition(topic: record.topic, partition: Int(record.partition), offset: Int(record.offset))
            guard let step = try? learner.step(event, at: position, documents: true) else { continue }
            completed += step.completed
        }
        return Outcome(completed: completed, current: learner.versionEvents > 0 || completed.isEmpty ? learner.document : completed.last)
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
