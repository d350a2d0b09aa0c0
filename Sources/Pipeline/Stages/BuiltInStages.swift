import Kafka
import OnlineML

/// The stages a topology file names under `stages:`.
public enum BuiltInStage: String, Sendable, Hashable, CaseIterable {
    case transform
    case learn
    case detect
}

/// The table of built-in stages: how each is made from a topology and which topics it reads.
/// Adding a stage kind is one file and one row here.
///
/// ```swift
/// let factory = try BuiltInStages.factory(for: .learn, topology: topology)
/// let runner = StageRunner(configuration: BuiltInStages.runnerConfiguration(
///     for: .learn, topology: topology, bootstrapServers: brokers), factory: factory)
/// ```
public enum BuiltInStages {
    /// Input records larger than this are dead-lettered unread (512 KiB).
    public static let maxRecordBytes = 512 << 10
    /// An input whose output record would be larger than this is dead-lettered instead: Kafka's
    /// default `message.max.bytes` is about 1 MB, and an output the broker refuses would stop
    /// the runner (900,000 bytes).
    public static let maxOutputBytes = 900_000

    struct Entry: Sendable {
        var stage: BuiltInStage
        /// Why the topology cannot run this stage, or nil.
        var unavailable: @Sendable (Topology) -> String?
        var inputs: @Sendable (Topology) -> [String]
        var make: @Sendable (Topology, StageTaskID) throws -> any Stage
    }

    static let table: [Entry] = [
        Entry(
            stage: .transform,
            unavailable: { $0.stages.transform == nil ? "the topology has no stages.transform" : nil },
            inputs: { [$0.topics.events.name] },
            make: { TransformStage(topology: $0, task: $1) }),
        Entry(
            stage: .learn,
            unavailable: { topology in
                if topology.stages.learn == nil { return "the topology has no stages.learn" }
                if topology.stages.transform == nil {
                    return "the learn stage reads the features topic: the topology needs stages.transform"
                }
                return nil
            },
            inputs: { [$0.topics.features.name] },
            make: { LearnStage(topology: $0, task: $1) }),
        Entry(
            stage: .detect,
            unavailable: { topology in
                guard let detect = topology.stages.detect else { return "the topology has no stages.detect" }
                if topology.stages.transform == nil {
                    return "the detect stage reads the predictions and features topics: the topology needs stages.transform"
                }
                if case .error? = detect.concept?.input, topology.stages.learn == nil {
                    return "concept drift on the error stream needs stages.learn"
                }
                if case .loss? = detect.concept?.input, topology.stages.learn == nil {
                    return "concept drift on the loss stream needs stages.learn"
                }
                return nil
            },
            inputs: { DetectStage.inputs(of: $0) },
            make: { DetectStage(topology: $0, task: $1) }),
    ]

    static func entry(_ stage: BuiltInStage) -> Entry {
        table.first { $0.stage == stage }!
    }

    /// The stage's factory for a runner or a ``TopologyTestDriver``.
    /// - Throws: ``BuiltInStageError`` when the topology lacks what the stage needs.
    public static func factory(for stage: BuiltInStage, topology: Topology) throws -> StageFactory {
        let entry = entry(stage)
        if let reason = entry.unavailable(topology) { throw BuiltInStageError(stage: stage, reason: reason) }
        return { task in try entry.make(topology, task) }
    }

    /// The topics the stage consumes (each partition becomes a task).
    public static func inputTopics(for stage: BuiltInStage, topology: Topology) -> [String] {
        entry(stage).inputs(topology)
    }

    /// The runner settings of one stage over `bootstrapServers`; the group defaults to
    /// `TOPOLOGY.STAGE` (``StageRunnerConfiguration/init(topology:stage:bootstrapServers:inputTopics:groupID:)``).
    public static func runnerConfiguration(
        for stage: BuiltInStage, topology: Topology, bootstrapServers: String, groupID: String? = nil
    ) -> StageRunnerConfiguration {
        var configuration = StageRunnerConfiguration(
            topology: topology, stage: stage.rawValue, bootstrapServers: bootstrapServers,
            inputTopics: inputTopics(for: stage, topology: topology), groupID: groupID)
        if stage == .learn {
            // The topology's own settings win.
            configuration.producer.properties.merge(ModelRecordLimits.producerProperties) { current, _ in current }
            configuration.prefetchKilobytes = learnerPrefetchKilobytes
        }
        return configuration
    }

    /// The learner's prefetch bound: half the runner's default. The learner is the costliest
    /// stage per record, so 2 MB of queued features still outlasts a fetch round trip, and its
    /// RSS is the highest of the three (with 2 MB it fell 2–4 MB on librdkafka 2.16 with the
    /// chain's rate unchanged; docs/operations.md).
    static let learnerPrefetchKilobytes = 2048

    /// The model topic key of the learner task reading features `partition`: the topology
    /// name when the features topic has exactly one partition, else `NAME/PARTITION`.
    public static func modelKey(topology: Topology, featuresPartition partition: Int32) -> String {
        topology.topics.features.partitions == 1 ? topology.name : "\(topology.name)/\(partition)"
    }

    /// The partition an output derived from input `partition` goes to: the same partition
    /// modulo the output topic's declared count, or nil (the key decides) when undeclared.
    static func outputPartition(_ topic: TopicSettings, for partition: Int32) -> Int32? {
        guard let count = topic.partitions, count > 0 else { return nil }
        return partition % Int32(count)
    }

    static func checkOutputSize(_ bytes: [UInt8], _ what: String) throws(StageRejection) {
        if bytes.count > maxOutputBytes {
            throw StageRejection("the \(what) record would be \(bytes.count) bytes, over the \(maxOutputBytes)-byte output limit")
        }
    }

    static func checkSize(_ record: StageRecord) throws(StageRejection) {
        if let count = record.valueCount, count > maxRecordBytes {
            throw StageRejection("record of \(count) bytes exceeds the \(maxRecordBytes)-byte limit")
        }
    }
}

/// A topology cannot run the stage asked for.
public struct BuiltInStageError: Error, Sendable, CustomStringConvertible {
    public var stage: BuiltInStage
    public var reason: String

    public var description: String { "cannot run stage '\(stage.rawValue)': \(reason)" }
}
