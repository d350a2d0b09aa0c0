import Kafka
import OnlineML

/// `detect`: predictions and features → drift alerts.
///
/// A task's input topic decides its job. On a predictions partition it feeds the concept
/// detector (`stages.detect.concept`) with each labelled prediction's 0/1 error (or absolute
/// error) or loss — the stream the learner's model produces, so alerts carry the model
/// version. On a features partition it feeds the data-drift monitor (`stages.detect.data`:
/// reference window vs. sliding window per feature, over the event's raw values) and a
/// concept detector on a raw field (`input: {field: x}`). Each detection becomes a
/// ``DriftAlertRecord`` keyed by the model key.
///
/// Repeated inputs (a learner or transform that restarted) are skipped by their source
/// offset. The detector state is checkpointed to the changelog topic and restored on
/// assignment (DetectStage+Checkpoint.swift), so a restarted task continues its windows.
struct DetectStage: Stage {
    let topology: Topology
    let task: StageTaskID
    private let readsPredictions: Bool
    /// The concept detector reads the loss (else the error) of predictions.
    private let readsLoss: Bool
    private var predictionTopics = DetectPredictionInput.TopicCache()
    /// What the features reader reuses from one record to the next.
    private var featuresCache = FeaturesRecord.ReadingCache()
    var conceptDetector: (any DriftDetector)?
    var dataMonitor: FeatureDriftMonitor?
    var sourceNext: [ModelRecordHeaders.SourceNext] = []
    /// The offset after the last input handled, and the input position of the last checkpoint.
    var inputNext: Int64?
    var checkpointedNext: Int64?

    static func inputs(of topology: Topology) -> [String] {
        guard let detect = topology.stages.detect else { return [] }
        var topics: [String] = []
        switch detect.concept?.input {
        case .error?, .loss?: topics.append(topology.topics.predictions.name)
        case .field?: topics.append(topology.topics.features.name)
        case nil: break
        }
        if detect.data != nil, !topics.contains(topology.topics.features.name) {
            topics.append(topology.topics.features.name)
        }
        return topics
    }

    init(topology: Topology, task: StageTaskID) {
        self.topology = topology
        self.task = task
        readsPredictions = task.topic == topology.topics.predictions.name
        let detect = topology.stages.detect
        readsLoss = detect?.concept?.input == .loss
        switch detect?.concept?.input {
        case .error?, .loss?:
            if readsPredictions { conceptDetector = detect?.concept?.detector.makeDetector() }
        case .field?:
            if !readsPredictions { conceptDetector = detect?.concept?.detector.makeDetector() }
        case nil:
            break
        }
        if !readsPredictions, let data = detect?.data {
            dataMonitor = FeatureDriftMonitor(configuration: data.monitorConfiguration)
        }
    }

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        guard let input = context.source else { return }
        checkpointIfDue(before: input.offset, context: context)
        inputNext = input.offset + 1
        try BuiltInStages.checkSize(record)
        if readsPredictions {
            // The few members the detector needs, read in place; the full record only for an
            // alert or a record the quick reader does not take (which decides the rejection).
            let input: DetectPredictionInput
            if let quick = record.withUnsafeValueBytes({ DetectPredictionInput.read($0, topics: &predictionTopics) }) {
                input = quick
            } else {
                let prediction = try Self.prediction(record)
                input = DetectPredictionInput(source: prediction.source, error: prediction.error, loss: prediction.loss)
            }
            guard isNew(input.source) else { return }
            guard let value = readsLoss ? input.loss : input.error, conceptDetector != nil,
                  conceptDetector!.update(value), let evidence = conceptDetector!.lastDetection
            else { return }
            let prediction = try Self.prediction(record)
            alert(
                evidence, model: prediction.model, modelKey: prediction.modelKey, version: prediction.modelVersion,
                input: readsLoss ? "loss" : "error",
                source: prediction.source, time: prediction.time, record: record, context: context)
        } else {
            let features: FeaturesRecord
            do {
                features = try FeaturesRecord(decodingValueOf: record, cache: &featuresCache)
            } catch {
                throw StageRejection("not a features record: \(error)")
            }
            guard isNew(features.source) else { return }
            let modelKey = BuiltInStages.modelKey(topology: topology, featuresPartition: task.partition)
            if case .field(let name)? = topology.stages.detect?.concept?.input, conceptDetector != nil {
                var x: Double?
                switch features.event[name] {
                case .number(let v)?: x = v
                case .bool(let b)?: x = b ? 1 : 0
                default: x = nil
                }
                if let x, conceptDetector!.update(x), let evidence = conceptDetector!.lastDetection {
                    alert(evidence, model: topology.name, modelKey: modelKey, version: nil, input: "field:\(name)",
                          source: features.source, time: features.time, record: record, context: context)
                }
            }
            guard dataMonitor != nil else { return }
            for field in features.fields {
                guard let value = topology.monitoredValue(field),
                      let evidence = dataMonitor!.update(feature: field.name, value)
                else { continue }
                alert(evidence, model: topology.name, modelKey: modelKey, version: nil, input: "feature",
                      source: features.source, time: features.time, record: record, context: context)
            }
        }
    }

    private static func prediction(_ record: StageRecord) throws -> PredictionRecord {
        do {
            return try PredictionRecord(decodingValueOf: record)
        } catch {
            throw StageRejection("not a prediction record: \(error)")
        }
    }

    /// Whether `source` is past every event this task already saw from its partition.
    private mutating func isNew(_ source: SourcePosition) -> Bool {
        if let index = sourceNext.firstIndex(where: { $0.topic == source.topic && $0.partition == source.partition }) {
            guard source.offset >= sourceNext[index].offset else { return false }
            sourceNext[index].offset = source.offset + 1
        } else {
            sourceNext.append(.init(topic: source.topic, partition: source.partition, offset: source.offset + 1))
        }
        return true
    }

    private func alert(
        _ evidence: DriftDetection, model: String, modelKey: String, version: Int?, input: String,
        source: SourcePosition, time: FieldValue?, record: StageRecord, context: StageContext
    ) {
        guard let position = context.source else { return }
        let alert = DriftAlertRecord(
            model: model, modelKey: modelKey, modelVersion: version, input: input, evidence: evidence,
            source: source, inputPosition: position, time: time)
        context.forward(
            StageRecord(key: Array(modelKey.utf8), value: alert.encoded(), timestampMilliseconds: record.timestampMilliseconds),
            to: .alerts)
    }
}
