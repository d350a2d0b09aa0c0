import Foundation
import Kafka
import OnlineML
import Pipeline
import Synchronization

/// Follows a running topology's outcome topics — models, alerts, dead letters — from their
/// first record, with a plain assigned consumer (no group, nothing committed), so `driftline up`
/// can show what the pipeline produced and summarize it at the end. Predictions are counted from
/// the topic's watermarks (reading every prediction would cost as much as the detect stage).
final class PipelineWatcher: Sendable {
    /// What one model record said (the document's fields a person looks at).
    struct ModelVersion: Sendable {
        var key: String
        var name: String
        var version: Int
        var parentVersion: Int?
        var reason: String
        var eventsLearned: Int
        var metrics: [(String, Double)]
        var contentHash: String
        var offset: Int64
        var startedBy: String?
    }

    /// One drift alert and where it was read.
    struct Alert: Sendable {
        var modelKey: String
        var kind: String
        var detector: String
        var modelVersion: Int?
        var feature: String?
        var sourcePartition: Int?
        var sourceOffset: Int?
        var alertOffset: Int64
    }

    struct Snapshot: Sendable {
        /// Latest record per model key, keys sorted.
        var latestModels: [ModelVersion] = []
        var modelRecords = 0
        var alerts: [Alert] = []
        var deadLetters = 0
        var deadLetterReasons: [(String, Int)] = []
        var predictions: Int64 = 0
        var lastChange = ContinuousClock.now
    }

    private let topology: Topology
    private let consumer: KafkaConsumer
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)

    private struct State {
        var latest: [String: ModelVersion] = [:]
        var modelRecords = 0
        var alerts: [Alert] = []
        var deadLetters = 0
        var reasons: [String: Int] = [:]
        var predictions: Int64 = 0
        var predictionBaseline: [Int32: Int64] = [:]
        var lastChange = ContinuousClock.now
    }

    init(topology: Topology, bootstrapServers: String) throws {
        self.topology = topology
        var configuration = KafkaConsumerConfiguration(
            readerOf: topology, bootstrapServers: bootstrapServers, groupID: "\(topology.name).up-watcher",
            clientID: "driftline-up-watcher")
        configuration.queuedMinMessages = 10_000
        configuration.isolationLevel = .readUncommitted
        // A broker may drop records before the watcher reads them (the embedded broker keeps
        // ~5 MiB a partition: a few dozen model documents). librdkafka would then reset to the
        // oldest record and print an "Offset out of range" warning each time; with `error` it
        // stops the partition quietly and `refreshAssignment()` moves it on.
        configuration.autoOffsetReset = .error
        // The watcher asks the broker for watermarks (ListOffsets) several times a second, on
        // the connection its fetches use; the embedded broker and Tansu answer an empty fetch
        // only after its whole wait and queue what follows behind it, so with librdkafka's
        // 500 ms every question waited up to half a second (and `up`'s final count, two per
        // partition, ~5 s). The stages' own wait (StageRunnerConfiguration): 100 ms. A
        // topology's own wait applies only when it is shorter, and its settings of what the
        // watcher reads (isolation, offset reset) do not apply at all (`readerOf:`).
        configuration.limitFetchWait(toMilliseconds: 100)
        consumer = try KafkaConsumer(configuration: configuration)
    }

    /// Assigns every partition of the watched topics from the beginning. Blocks. Topics that
    /// do not exist yet (auto-created by the first write) are picked up later by `run()`.
    func start() throws {
        try refreshAssignment()
        countPredictions()
    }

    /// The watched partitions and where to resume each: after the last record read, or from
    /// the beginning (only the watcher's thread touches it after `start`).
    private let resumeAt = Mutex<[KafkaTopicPartition: KafkaOffset]>([:])

    /// Adds partitions that appeared since the last look and moves on any whose next record the
    /// broker dropped before the watcher read it; the others stay where they are.
    private func refreshAssignment() throws {
        let metadata = try consumer.metadata(timeout: .seconds(10))
        var all: [KafkaTopicPartition] = []
        for topic in [topology.topics.models.name, topology.topics.alerts.name, topology.topics.deadLetters.name] {
            guard let described = metadata.topic(topic), described.error == nil else { continue }
            for partition in described.partitions.map(\.id).sorted() {
                all.append(KafkaTopicPartition(topic: topic, partition: partition))
            }
        }
        let known = resumeAt.withLock { $0 }
        var skipped = false
        let offsets = all.map { partition in
            guard let next = known[partition] else { return KafkaTopicPartitionOffset(partition, offset: .beginning) }
            guard let oldest = oldestRecord(after: next, in: partition) else { return KafkaTopicPartitionOffset(partition, offset: next) }
            skipped = true
            return KafkaTopicPartitionOffset(partition, offset: KafkaOffset(oldest))
        }
        guard skipped || Set(all) != Set(known.keys) else { return }
        try consumer.assign(offsets)
        resumeAt.withLock { $0 = Dictionary(uniqueKeysWithValues: offsets.map { ($0.topicPartition, $0.offset) }) }
    }

    /// The oldest offset the broker still has when it is past `next`: the records in between
    /// were dropped before the watcher read them, and with `auto.offset.reset=error` librdkafka
    /// has stopped fetching the partition. Asked of the broker: the low watermark cached from
    /// the last fetch is the one before the records were dropped.
    private func oldestRecord(after next: KafkaOffset, in partition: KafkaTopicPartition) -> Int64? {
        guard let low = (try? consumer.watermarks(partition, timeout: .seconds(2)))?.low, max(next.rawValue, 0) < low
        else { return nil }
        return low
    }

    /// Polls until `stop()`: call on a thread of its own.
    func run() {
        var nextCount = ContinuousClock.now
        while !stopped.load(ordering: .acquiring) {
            pollOnce(timeout: .milliseconds(200))
            if ContinuousClock.now >= nextCount {
                try? refreshAssignment()
                countPredictions()
                nextCount = ContinuousClock.now + .milliseconds(500)
            }
        }
    }

    /// Reads whatever is there until the topics stay quiet for `quiet`, then counts predictions.
    func drain(quiet: Duration = .milliseconds(500), timeout: Duration = .seconds(30)) {
        try? refreshAssignment()
        let deadline = ContinuousClock.now + timeout
        var lastRecord = ContinuousClock.now
        while ContinuousClock.now < deadline, ContinuousClock.now - lastRecord < quiet {
            if pollOnce(timeout: .milliseconds(100)) > 0 { lastRecord = ContinuousClock.now }
        }
        countPredictions()
    }

    /// Counts the predictions written since the watcher started by reading them (exact on
    /// brokers that under-report high watermarks, e.g. Tansu 0.6), plus any the embedded
    /// broker already dropped from the front. Call after `stop()`, on the watcher's consumer.
    func countPredictionsExactly(timeout: Duration = .seconds(30)) {
        let topic = topology.topics.predictions.name
        guard let metadata = try? consumer.metadata(timeout: .seconds(5)), let described = metadata.topic(topic) else { return }
        let baseline = state.withLock { $0.predictionBaseline }
        var starts: [KafkaTopicPartitionOffset] = []
        var ends: [KafkaTopicPartition: Int64] = [:]
        var dropped: Int64 = 0
        for partition in described.partitions.map(\.id).sorted() {
            let tp = KafkaTopicPartition(topic: topic, partition: partition)
            guard let marks = try? consumer.watermarks(tp, timeout: .seconds(5)) else { return }
            let from = baseline[partition] ?? 0
            if marks.low > from { dropped += marks.low - from }
            let start = max(from, marks.low)
            guard marks.high > start else { continue }
            ends[tp] = marks.high
            starts.append(KafkaTopicPartitionOffset(tp, offset: KafkaOffset(start)))
        }
        var count: Int64 = 0
        if !starts.isEmpty {
            guard (try? consumer.assign(starts)) != nil else { return }
            let deadline = ContinuousClock.now + timeout
            var unfinished = Set(ends.keys)
            // To the high marks, then until quiet (Tansu 0.6 under-reports the high mark).
            var quietSince: ContinuousClock.Instant?
            while ContinuousClock.now < deadline {
                let read = (try? consumer.poll(maxRecords: 10_000, timeout: .milliseconds(100))) ?? []
                count += Int64(read.count)
                for record in read where record.offset >= (ends[record.topicPartition] ?? 0) - 1 {
                    unfinished.remove(record.topicPartition)
                }
                if unfinished.isEmpty {
                    if !read.isEmpty || quietSince == nil { quietSince = .now }
                    if quietSince!.duration(to: .now) >= .milliseconds(300) { break }
                }
            }
        }
        state.withLock { $0.predictions = count + dropped }
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    func close() { try? consumer.close() }

    var snapshot: Snapshot {
        state.withLock { state in
            Snapshot(
                latestModels: state.latest.keys.sorted().map { state.latest[$0]! },
                modelRecords: state.modelRecords, alerts: state.alerts, deadLetters: state.deadLetters,
                deadLetterReasons: state.reasons.keys.sorted().map { ($0, state.reasons[$0]!) },
                predictions: state.predictions, lastChange: state.lastChange)
        }
    }

    @discardableResult
    private func pollOnce(timeout: Duration) -> Int {
        guard let records = try? consumer.poll(maxRecords: 1000, timeout: timeout), !records.isEmpty else { return 0 }
        var models: [ModelVersion] = []
        var alerts: [Alert] = []
        var dead: [String] = []
        for record in records {
            if record.topic == topology.topics.models.name {
                if let model = Self.model(from: record) { models.append(model) }
            } else if record.topic == topology.topics.alerts.name {
                if let alert = Self.alert(from: record) { alerts.append(alert) }
            } else {
                let reason = record.headers.first { $0.name == DeadLetterHeaders.error }?.stringValue ?? "unknown"
                dead.append(Self.reasonClass(reason))
            }
        }
        resumeAt.withLock { resumeAt in
            for record in records { resumeAt[record.topicPartition] = KafkaOffset(record.offset + 1) }
        }
        state.withLock { state in
            for model in models {
                state.latest[model.key] = model
                state.modelRecords += 1
            }
            state.alerts += alerts
            state.deadLetters += dead.count
            for reason in dead { state.reasons[reason, default: 0] += 1 }
            state.lastChange = ContinuousClock.now
        }
        return records.count
    }

    /// Predictions written since the watcher started: high watermarks minus those at the first
    /// look (the embedded broker drops old records, so `high − low` would undercount).
    private func countPredictions() {
        let topic = topology.topics.predictions.name
        guard let metadata = try? consumer.metadata(timeout: .seconds(2)), let described = metadata.topic(topic) else { return }
        var highs: [Int32: Int64] = [:]
        for partition in described.partitions.map(\.id) {
            guard let marks = try? consumer.watermarks(KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(2))
            else { return }
            highs[partition] = marks.high
        }
        state.withLock { state in
            var total: Int64 = 0
            for (partition, high) in highs {
                if state.predictionBaseline[partition] == nil { state.predictionBaseline[partition] = high }
                total += high - state.predictionBaseline[partition]!
            }
            if state.predictions != total {
                state.predictions = total
                state.lastChange = ContinuousClock.now
            }
        }
    }

    /// The first words of a dead-letter reason, to group them (`not JSON: …` → `not JSON`).
    static func reasonClass(_ reason: String) -> String {
        let head = reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? reason
        return String(head.prefix(60))
    }

    static func model(from record: KafkaConsumerRecord) -> ModelVersion? {
        guard let json = try? CanonicalJSON.parse(record.valueString) else { return nil }
        let reason = record.headers.first { $0.name == "driftline.publish.reason" }?.stringValue ?? "version"
        let metrics = (json["metrics"]?.objectValue ?? [:]).keys.sorted().compactMap { name -> (String, Double)? in
            guard let value = json["metrics"]?[name]?.doubleValue else { return nil }
            return (name, value)
        }
        var startedBy: String?
        if let cause = json["lineage"]?["started_by"], cause != .null {
            startedBy = cause["action"]?.stringValue ?? "yes"
        }
        return ModelVersion(
            key: record.keyString ?? json["name"]?.stringValue ?? "?",
            name: json["name"]?.stringValue ?? "?",
            version: json["version"]?.intValue ?? 0,
            parentVersion: json["parent_version"]?.intValue,
            reason: reason,
            eventsLearned: json["events_learned"]?.intValue ?? 0,
            metrics: metrics,
            contentHash: json["content_hash"]?.stringValue ?? "",
            offset: record.offset,
            startedBy: startedBy)
    }

    static func alert(from record: KafkaConsumerRecord) -> Alert? {
        guard let json = try? CanonicalJSON.parse(record.valueString) else { return nil }
        return Alert(
            modelKey: json["model_key"]?.stringValue ?? record.keyString ?? "?",
            kind: json["kind"]?.stringValue ?? "?",
            detector: json["detector"]?.stringValue ?? "?",
            modelVersion: json["model_version"]?.intValue,
            feature: json["feature"]?.stringValue,
            sourcePartition: json["position"]?["source"]?["partition"]?.intValue,
            sourceOffset: json["position"]?["source"]?["offset"]?.intValue,
            alertOffset: record.offset)
    }
}
