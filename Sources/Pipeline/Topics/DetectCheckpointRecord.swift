import Foundation
import Kafka
import OnlineML

/// One record of the detect stage's changelog topic, format `driftline.detect_checkpoint`
/// version 1 (docs/topics.md): a part of one detect task's detector state at one input
/// position.
///
/// Like a Kafka Streams state store, a task's state is a set of keys, each written to a
/// compacted changelog topic (`NAME.detect-changelog`, see ``topic(for:)``) in the same
/// transaction as the task's alerts and input offset:
///
/// - `TOPIC/P/concept`: the concept detector (``AnyDriftDetector``),
/// - `TOPIC/P/feature/NAME`: one feature's data-drift windows,
/// - `TOPIC/P`: the commit record, written last: the input position, the source offsets the
///   task already saw, and the data monitor's counters and feature list.
///
/// Every part carries the input position it belongs to (`input_next`), so a restore takes the
/// latest commit record and the parts with its position, never a part of a later checkpoint a
/// broker showed from an aborted transaction. Encoded with sorted keys and shortest round-trip
/// floats (non-finite ones as strings): the same state gives the same bytes, and decoding gives
/// the same bits.
public struct DetectCheckpointRecord: Codable, Sendable {
    public static let formatName = "driftline.detect_checkpoint"
    public static let formatVersion = 1

    /// The task's input, and the offset after the last input the state accounts for.
    public var topic: String
    public var partition: Int32
    public var inputNext: Int64
    /// Exactly one of these.
    public var commit: Commit?
    public var concept: AnyDriftDetector?
    public var feature: FeatureDriftMonitor.FeatureSnapshot?

    /// What the commit record holds besides the position.
    public struct Commit: Codable, Sendable, Equatable {
        /// Per source partition, the offset after the last source event the task saw.
        public var sourceNext: [SourceOffset]
        /// Whether a `concept` part belongs to this checkpoint.
        public var hasConcept: Bool
        /// The data monitor's counters and feature order; nil without a data monitor.
        public var monitor: FeatureDriftMonitor.Summary?

        enum CodingKeys: String, CodingKey {
            case sourceNext = "source_next", hasConcept = "has_concept", monitor
        }
    }

    public struct SourceOffset: Codable, Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
    }

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", topic, partition, inputNext = "input_next"
        case commit, concept, feature
    }

    init(topic: String, partition: Int32, inputNext: Int64) {
        self.topic = topic
        self.partition = partition
        self.inputNext = inputNext
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(String.self, forKey: .format)
        let version = try container.decode(Int.self, forKey: .formatVersion)
        guard format == Self.formatName, version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .format, in: container,
                debugDescription: "not a \(Self.formatName) version \(Self.formatVersion) record: \(format) \(version)")
        }
        topic = try container.decode(String.self, forKey: .topic)
        partition = try container.decode(Int32.self, forKey: .partition)
        inputNext = try container.decode(Int64.self, forKey: .inputNext)
        commit = try container.decodeIfPresent(Commit.self, forKey: .commit)
        concept = try container.decodeIfPresent(AnyDriftDetector.self, forKey: .concept)
        feature = try container.decodeIfPresent(FeatureDriftMonitor.FeatureSnapshot.self, forKey: .feature)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatName, forKey: .format)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode(topic, forKey: .topic)
        try container.encode(partition, forKey: .partition)
        try container.encode(inputNext, forKey: .inputNext)
        try container.encodeIfPresent(commit, forKey: .commit)
        try container.encodeIfPresent(concept, forKey: .concept)
        try container.encodeIfPresent(feature, forKey: .feature)
    }

    /// The changelog topic of a topology's detect stage: `NAME.detect-changelog`, in the
    /// spirit of Kafka Streams' `APPLICATION-STORE-changelog`. Create it compacted
    /// (``topicConfig``); `driftline up` and `driftline stage detect` create it when missing.
    public static func topic(for topology: Topology) -> String { "\(topology.name).detect-changelog" }

    /// The changelog's topic settings: compacted, so it keeps the latest part per key.
    public static let topicConfig = ["cleanup.policy": "compact"]

    /// The changelog topic to create for a topology that has a detect stage: one partition
    /// (the tasks' parts are told apart by key), compacted.
    public static func newTopic(for topology: Topology) -> KafkaNewTopic? {
        guard topology.stages.detect != nil else { return nil }
        return KafkaNewTopic(name: topic(for: topology), partitions: 1, configs: topicConfig)
    }

    /// The record key of the commit record of a task reading `topic`/`partition`.
    public static func commitKey(topic: String, partition: Int32) -> String { "\(topic)/\(partition)" }

    /// The record key of this record.
    public var key: String {
        let base = Self.commitKey(topic: topic, partition: partition)
        if concept != nil { return base + "/concept" }
        if let feature { return base + "/feature/" + feature.name }
        return base
    }

    public func encoded() throws -> [UInt8] {
        Array(try Self.encoder.encode(self))
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try Self.decoder.decode(Self.self, from: Data(bytes))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
