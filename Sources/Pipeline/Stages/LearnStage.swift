import Foundation
import Kafka
import OnlineML

/// `learn`: features → predictions and model versions; follows the drift alerts for `on_drift`.
///
/// Each features record goes through ``PrequentialLearner`` — the step `driftline evaluate`
/// runs — on the event it carries, so the learner mirrors the transformer exactly and its
/// documents are bit-identical to evaluate's on the same events: predict, score, learn if
/// labelled, complete a version every `publish.every_events` learned events.
///
/// Publishing (key: ``BuiltInStages/modelKey(topology:featuresPartition:)``): every completed
/// version, every reset or promotion, a checkpoint of the version in progress every
/// `publish.every_seconds` of stream time, and on revocation and shutdown. Each record's
/// headers (``ModelRecordHeaders``) say where in the input the document was taken.
///
/// Restore: the latest document for the key gives model, metrics and version bookkeeping; the
/// task resumes at the features offset after the last record the document accounts for, and
/// skips features of source events it already accounted for (a transform that restarted
/// repeats some). Nothing is lost or learned twice.
///
/// Retraining: with `on_drift` other than `none`, the task reads the new records of the alerts
/// topic through the state restorer (``StageContext/records(in:after:)``) once per second of
/// stream time (a punctuation: its times are deterministic, what it finds is not) and
/// applies each new concept alert about its key whose `model_version` is newer than the start
/// of its current lineage (older alerts are about a model it already replaced). Where an
/// action took effect is a run-time decision, so it is recorded (`applied_at` in the cause,
/// ``DriftActionPosition``) for replay, and the alerts read so far are a header of every
/// document (``ModelRecordHeaders/alertsNextOffsets``), so a restored learner neither applies
/// an alert twice nor skips one.
struct LearnStage: Stage {
    let topology: Topology
    let task: StageTaskID
    let key: String
    private var learner: PrequentialLearner
    private let isClassifier: Bool
    /// The offset after the last features record handled; nil before any.
    private var inputNext: Int64?
    /// The input position of the last published document.
    private var publishedInputNext: Int64?
    private var sourceNext: [ModelRecordHeaders.SourceNext] = []
    /// The index in `sourceNext` of the last features record's source partition.
    private var lastSource: Int?
    /// Alerts already read, per alerts partition.
    private var alertNext: [Int32: Int64] = [:]
    /// What the features reader reuses from one record to the next.
    private var featuresCache = FeaturesRecord.ReadingCache()

    /// How often (stream time) the alerts topic is read.
    static let alertPollInterval = Duration.seconds(1)

    init(topology: Topology, task: StageTaskID) {
        self.topology = topology
        self.task = task
        key = BuiltInStages.modelKey(topology: topology, featuresPartition: task.partition)
        let configuration = topology.modelPipelineConfiguration()!
        isClassifier = configuration.task == .binaryClassification
        learner = PrequentialLearner(
            name: topology.name, configuration: configuration, publishEvery: topology.stages.learn?.publish.everyEvents)
    }

    private var learn: LearnSettings { topology.stages.learn! }

    mutating func restore(context: StageContext) throws {
        if let record = try context.latestRecord(in: .models, key: key), !record.isTombstone {
            let document = try ModelDocument(decoding: record.value)
            learner = try PrequentialLearner(restoring: document, publishEvery: learn.publish.everyEvents)
            if let header = ModelRecordHeaders.value(ModelRecordHeaders.sourceNextOffsets, in: record.headers) {
                sourceNext = ModelRecordHeaders.decode(header)
                lastSource = sourceNext.indices.last
            }
            if let header = ModelRecordHeaders.value(ModelRecordHeaders.alertsNextOffsets, in: record.headers) {
                for entry in ModelRecordHeaders.decode(header) where entry.topic == topology.topics.alerts.name {
                    alertNext[entry.partition] = entry.offset
                }
            }
            if ModelRecordHeaders.value(ModelRecordHeaders.inputTopic, in: record.headers) == task.topic,
               ModelRecordHeaders.value(ModelRecordHeaders.inputPartition, in: record.headers) == String(task.partition),
               let next = ModelRecordHeaders.value(ModelRecordHeaders.inputNextOffset, in: record.headers).flatMap(Int64.init)
            {
                inputNext = next
                publishedInputNext = next
                context.resume(from: next)
            }
        } else {
            // No document yet, but a predecessor may have committed offsets (exactly-once
            // commits every interval, documents come every `publish.every_events`): start
            // from the beginning, so the runner replays the committed part silently (catch-up)
            // instead of learning from the committed offset on with a fresh model.
            context.resume(from: 0)
        }
        if learn.publish.everySeconds > 0 {
            context.schedule(
                "publish", every: .milliseconds(Int64(learn.publish.everySeconds * 1000)), on: .streamTime)
        }
        if learn.onDrift != .none {
            context.schedule("alerts", every: Self.alertPollInterval, on: .streamTime)
        }
    }

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        guard let input = context.source else { return }
        inputNext = input.offset + 1
        try BuiltInStages.checkSize(record)
        let features: FeaturesRecord
        do {
            features = try FeaturesRecord(decodingValueOf: record, cache: &featuresCache)
        } catch {
            throw StageRejection("not a features record: \(error)")
        }
        let source = features.source
        let index = sourceNext.firstIndex { $0.topic == source.topic && $0.partition == source.partition }
        if let index, source.offset < sourceNext[index].offset {
            return  // already accounted for (a repeated features record)
        }
        if let index {
            sourceNext[index].offset = source.offset + 1
            lastSource = index
        } else {
            sourceNext.append(.init(topic: source.topic, partition: source.partition, offset: source.offset + 1))
            lastSource = sourceNext.count - 1
        }
        let version = learner.version
        let step: PrequentialLearner.Step
        do {
            step = try learner.step(
                features.event,
                at: InputPosition(topic: source.topic, partition: Int(source.partition), offset: Int(source.offset)),
                documents: true)
        } catch {
            throw StageRejection(error.description)
        }
        let prediction = step.prediction
        let predicted = isClassifier ? (prediction.label == true ? 1.0 : 0.0) : prediction.value
        var errorValue: Double?
        if let y = step.target { errorValue = isClassifier ? (predicted == y ? 0 : 1) : abs(y - prediction.value) }
        // Encoded from the parts (no `PredictionRecord` built per event only to be dropped).
        let value = PredictionRecord.encoded(
            model: topology.name, modelKey: key, modelVersion: version, source: source, input: input,
            key: features.key, time: features.time, prediction: predicted,
            probability: isClassifier ? prediction.value : nil, label: step.target, loss: step.loss, error: errorValue)
        var outputRecord = StageRecord(
            key: features.key.map { Array($0.utf8) }, value: value, timestampMilliseconds: record.timestampMilliseconds)
        outputRecord.partition = BuiltInStages.outputPartition(topology.topics.predictions, for: task.partition)
        context.forward(outputRecord, to: .predictions)
        for (document, number) in zip(step.completed, step.completedVersions) {
            let promoted = step.challenger?.promoted == true && number == step.completedVersions.last
            publish(document, reason: promoted ? "promotion" : "version", context: context)
        }
    }

    mutating func punctuate(_ punctuation: Punctuation, context: StageContext) throws {
        switch punctuation.name {
        case "publish":
            publishCheckpoint(context: context)
        case "alerts":
            // Mid catch-up the predecessor's committed outputs (and its last document) were
            // made without any alert it had not applied yet: apply new ones after the catch-up.
            guard !context.isCatchingUp else { return }
            try followAlerts(context: context)
        default:
            break
        }
    }

    mutating func checkpoint(context: StageContext) throws {
        publishCheckpoint(context: context)
    }

    /// Publishes the current model if input was handled since the last publication.
    private mutating func publishCheckpoint(context: StageContext) {
        guard let inputNext, inputNext != publishedInputNext else { return }
        publish(learner.document, reason: learner.versionEvents > 0 ? "checkpoint" : "version", context: context)
    }

    private mutating func publish(_ document: ModelDocument, reason: String, context: StageContext) {
        var document = document
        document.createdAt = Self.iso8601(milliseconds: context.wallClockMilliseconds)
        var headers = [
            KafkaHeader(name: ModelRecordHeaders.reason, string: reason),
            KafkaHeader(name: ModelRecordHeaders.sourceNextOffsets, string: ModelRecordHeaders.encode(sourceNext)),
        ]
        if let inputNext {
            headers += [
                KafkaHeader(name: ModelRecordHeaders.inputTopic, string: task.topic),
                KafkaHeader(name: ModelRecordHeaders.inputPartition, string: String(task.partition)),
                KafkaHeader(name: ModelRecordHeaders.inputNextOffset, string: String(inputNext)),
            ]
        }
        if learn.onDrift != .none {
            let read = alertNext.keys.sorted().map {
                ModelRecordHeaders.SourceNext(topic: topology.topics.alerts.name, partition: $0, offset: alertNext[$0]!)
            }
            headers.append(KafkaHeader(name: ModelRecordHeaders.alertsNextOffsets, string: ModelRecordHeaders.encode(read)))
        }
        context.forward(
            StageRecord(key: Array(key.utf8), value: document.encodedBytes(), headers: headers), to: .models)
        publishedInputNext = inputNext
    }

    /// Reads the alerts topic and applies `on_drift` to each new concept alert about this key.
    private mutating func followAlerts(context: StageContext) throws {
        for record in try context.records(in: .alerts, after: alertNext) {
            guard record.offset >= alertNext[record.partition, default: 0] else { continue }
            alertNext[record.partition] = record.offset + 1
            guard let alert = try? DriftAlertRecord.summary(decoding: record.isTombstone ? nil : record.value),
                  alert.modelKey == key, alert.kind == DriftKind.concept.rawValue,
                  let version = alert.modelVersion, version > (learner.lineageStart ?? 0)
            else { continue }
            var cause = alert.json.objectValue ?? [:]
            cause["alert_position"] = InputPosition(
                topic: record.topic, partition: Int(record.partition), offset: Int(record.offset)).json
            if let applied = actionPosition { cause["applied_at"] = applied.json }
            switch learn.onDrift {
            case .none:
                break
            case .reset(let scope):
                cause["action"] = .string(RecordedDriftAction.Name(resetting: scope).rawValue)
                let documents = learner.reset(scope: scope, cause: .object(cause))
                for (index, document) in documents.enumerated() {
                    publish(document, reason: index == documents.count - 1 ? "reset" : "version", context: context)
                }
            case .challenger(let length):
                cause["action"] = .string(RecordedDriftAction.Name.challengerStarted.rawValue)
                cause["trial_length"] = .integer(length)
                learner.startChallenger(length: length, at: alert.sourceOffset, cause: .object(cause))
            }
        }
    }

    /// Where an action applied now takes effect: before the next features record and the next
    /// event of the last record's source partition. Nil before any input (no alert can be
    /// about this model then).
    private var actionPosition: DriftActionPosition? {
        guard let inputNext, let lastSource else { return nil }
        let source = sourceNext[lastSource]
        return DriftActionPosition(
            features: InputPosition(topic: task.topic, partition: Int(task.partition), offset: Int(inputNext)),
            source: InputPosition(topic: source.topic, partition: Int(source.partition), offset: Int(source.offset)))
    }

    /// `milliseconds` since the epoch as ISO-8601 UTC with milliseconds
    /// (`2026-11-28T06:35:12.345Z`, what `ISO8601DateFormatter` writes with fractional
    /// seconds), computed directly: a formatter per published document cost ~5% of the
    /// learner's thread.
    static func iso8601(milliseconds: Int64) -> String {
        func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
        let seconds = floorDivide(milliseconds, 1000)
        let milli = milliseconds - seconds * 1000
        let day = floorDivide(seconds, 86_400)
        let second = seconds - day * 86_400
        // Days since 1970-01-01 to a civil date (proleptic Gregorian, H. Hinnant's algorithm).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        out.append(UInt8(ascii: "-"))
        digits(month, 2)
        out.append(UInt8(ascii: "-"))
        digits(dayOfMonth, 2)
        out.append(UInt8(ascii: "T"))
        digits(second / 3600, 2)
        out.append(UInt8(ascii: ":"))
        digits(second / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        digits(second % 60, 2)
        out.append(UInt8(ascii: "."))
        digits(milli, 3)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
