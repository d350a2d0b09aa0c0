import OnlineML

/// Offline prequential evaluation of a topology: the whole chain in-process over a finite
/// sequence of events — the "test before deploy" step behind `driftline evaluate`.
///
/// For each event, in this order: transform → predict → update metrics → learn (if labelled) →
/// feed the concept detector (0/1 error, absolute error or loss per `input`, or a raw field) →
/// apply `on_drift` → feed the data-drift monitor with the event's feature fields. A record
/// that cannot be used (bad JSON, wrong types, bad label) is counted with its reason and changes
/// nothing. Everything is deterministic: the same topology and input give the same summary.
///
/// `on_drift`: `reset` restarts the learner from zero weights (scope `model` keeps the
/// transformer, `pipeline` restarts it too); `challenger` runs a ``ChallengerTrial`` and keeps
/// the better model. The concept detector always watches the serving (champion) model.
public struct PrequentialEvaluation: Sendable {
    public let topology: Topology
    /// The model being trained; `nil` for a topology without a learn stage.
    public private(set) var model: ModelPipeline?
    private var conceptDetector: (any DriftDetector)?
    private var dataMonitor: FeatureDriftMonitor?

    /// Records seen, rejected ones included.
    public private(set) var records = 0
    /// Records processed without rejection.
    public private(set) var accepted = 0
    /// Accepted events that had a label.
    public private(set) var labelled = 0
    public private(set) var rejections = RejectionTally()
    public private(set) var detections: [EvaluationDetection] = []
    /// Learner resets triggered by `on_drift`.
    public private(set) var resets = 0
    public private(set) var scores: PrequentialScores?
    private var trial: ChallengerTrial?
    /// Finished challenger trials, in order.
    public private(set) var challengerOutcomes: [ChallengerOutcome] = []
    /// Model versions a learn stage would have published so far (see ``modelVersion``).
    private var publishedVersions = 0
    private var learnedSinceVersion = 0
    /// Record indices the current model learned from since it last started from zero (lineage).
    private var learnedRange: ClosedRange<Int>?

    public init(topology: Topology) {
        self.topology = topology
        if let configuration = topology.modelPipelineConfiguration() {
            model = ModelPipeline(configuration: configuration)
            scores = PrequentialScores(task: configuration.task)
        }
        conceptDetector = topology.stages.detect?.concept?.detector.makeDetector()
        if let data = topology.stages.detect?.data {
            dataMonitor = FeatureDriftMonitor(configuration: data.monitorConfiguration)
        }
    }

    /// Processes one record of an input file.
    public mutating func process(_ record: InputRecord) -> EvaluationStep {
        switch record.content {
        case .success(let event):
            return process(event, line: record.line)
        case .failure(let error):
            var step = EvaluationStep(index: records, line: record.line)
            records += 1
            reject(&step, error.reason)
            return step
        }
    }

    /// Processes one event (predict, score, learn, detect, react).
    public mutating func process(_ event: Event, line: Int? = nil) -> EvaluationStep {
        var step = EvaluationStep(index: records, line: line)
        records += 1

        // A raw-field detector needs its field before anything changes state.
        var fieldValue: Double?
        if case .field(let name)? = topology.stages.detect?.concept?.input {
            switch event[name] {
            case .number(let x)? where x.isFinite: fieldValue = x
            case .bool(let b)?: fieldValue = b ? 1 : 0
            default:
                reject(&step, "field '\(name)' watched by the detector is missing or not a finite number")
                return step
            }
        }

        var detectorInput: Double? = fieldValue
        // `model!` mutates in place: a copy would make every weight array copy-on-write per event.
        if model != nil {
            let outcome: PrequentialOutcome
            do {
                outcome = try model!.processOne(event)
            } catch {
                reject(&step, error.description)
                return step
            }
            let prediction = outcome.prediction
            let isClassifier = model!.configuration.task == .binaryClassification
            step.prediction = isClassifier ? (prediction.label == true ? 1 : 0) : prediction.value
            step.probability = isClassifier ? prediction.value : nil
            if let y = outcome.target {
                labelled += 1
                step.label = y
                let loss = scores!.update(target: y, prediction: prediction)
                step.loss = loss
                if outcome.learned { countLearned(index: step.index) }
                runTrial(event, championLoss: loss, index: step.index)
                switch topology.stages.detect?.concept?.input {
                case .error?:
                    detectorInput = isClassifier ? (step.prediction == y ? 0 : 1) : abs(y - prediction.value)
                case .loss?:
                    detectorInput = loss
                default:
                    break
                }
            }
        }
        accepted += 1

        if let value = detectorInput, conceptDetector != nil, conceptDetector!.update(value),
           let evidence = conceptDetector!.lastDetection {
            let action = react()
            detections.append(EvaluationDetection(index: step.index, line: line, time: eventTime(event),
                                                  evidence: evidence, action: action))
            step.alarms.append(evidence)
        }

        if dataMonitor != nil {
            for field in event.fields {
                guard let value = monitoredValue(field) else { continue }
                if let evidence = dataMonitor!.update(feature: field.name, value) {
                    detections.append(EvaluationDetection(index: step.index, line: line, time: eventTime(event),
                                                          evidence: evidence, action: "none"))
                    step.alarms.append(evidence)
                }
            }
        }
        return step
    }

    /// Applies `on_drift` after a concept-drift alarm; returns what was done.
    private mutating func react() -> String {
        guard let champion = model, let learn = topology.stages.learn else { return "none" }
        switch learn.onDrift {
        case .none:
            return "none"
        case .challenger(let length):
            guard trial == nil else { return "none" }
            trial = ChallengerTrial(champion: champion, startedAt: records - 1, length: length)
            return "challenger_started"
        case .reset(let scope):
            switch scope {
            case .model: model!.resetLearner()
            case .pipeline: model!.resetAll()
            }
            resets += 1
            learnedRange = nil
            // A reset starts a new lineage: the zero model is published as its own version.
            publishedVersions += 1
            learnedSinceVersion = 0
            return scope == .model ? "reset_model" : "reset_pipeline"
        }
    }

    /// Lets the running challenger (if any) predict and learn the same labelled event, and
    /// settles the trial when it is complete.
    private mutating func runTrial(_ event: Event, championLoss: Double, index: Int) {
        guard trial != nil, let task = scores?.task else { return }
        let outcome: PrequentialOutcome
        do {
            outcome = try trial!.model.processOne(event)  // in place, as for the champion
        } catch {
            // The challenger cannot learn what the champion could: it loses.
            let running = trial!
            trial = nil
            challengerOutcomes.append(ChallengerOutcome(
                startedAt: running.startedAt, decidedAt: index, events: running.events,
                championMeanLoss: running.championMeanLoss, challengerMeanLoss: .infinity, promoted: false))
            return
        }
        guard let y = outcome.target else { return }
        let loss = PrequentialScores.loss(task: task, target: y, prediction: outcome.prediction)
        let complete = trial!.record(championLoss: championLoss, challengerLoss: loss, index: index,
                                     learned: outcome.learned)
        guard complete else { return }
        let running = trial!
        trial = nil
        let promoted = running.challengerWins
        challengerOutcomes.append(ChallengerOutcome(
            startedAt: running.startedAt, decidedAt: index, events: running.events,
            championMeanLoss: running.championMeanLoss, challengerMeanLoss: running.challengerMeanLoss,
            promoted: promoted))
        if promoted {
            model = running.model
            learnedRange = running.learnedRange
            // The promoted model is published as a new version at once.
            publishedVersions += 1
            learnedSinceVersion = 0
        }
    }

    private mutating func countLearned(index: Int) {
        learnedRange = learnedRange.map { $0.lowerBound...index } ?? index...index
        learnedSinceVersion += 1
        if let every = topology.stages.learn?.publish.everyEvents, learnedSinceVersion >= every {
            publishedVersions += 1
            learnedSinceVersion = 0
        }
    }

    /// The value a data-drift monitor takes from one event field, or `nil` if not watched.
    private func monitoredValue(_ field: EventField) -> FeatureDriftMonitor.Value? {
        guard let data = topology.stages.detect?.data else { return nil }
        let schema = topology.schema
        if let features = data.features {
            guard features.contains(field.name) else { return nil }
        } else {
            guard !schema.reservedFields.contains(field.name) else { return nil }
            if case .fields(let numeric) = schema.numeric,
               !numeric.contains(field.name), !schema.categorical.contains(field.name) {
                return nil
            }
        }
        let categorical = schema.categorical.contains(field.name)
        switch (data.test, field.value) {
        case (.chi2, .string(let s)) where categorical || data.features != nil: return .category(s)
        case (.chi2, .number(let x)) where categorical: return .category(x.description)
        case (.ks, .number(let x)), (.psi, .number(let x)): return categorical || !x.isFinite ? nil : .number(x)
        case (.ks, .bool(let b)), (.psi, .bool(let b)): return categorical ? nil : .number(b ? 1 : 0)
        default: return nil
        }
    }

    private func eventTime(_ event: Event) -> FieldValue? {
        topology.schema.time.flatMap { event[$0] }
    }

    private mutating func reject(_ step: inout EvaluationStep, _ reason: String) {
        step.rejection = reason
        rejections.add(reason, line: step.line, index: step.index)
    }

    /// The version the final model document carries: one per `publish.every_events` learned
    /// events, one per reset, and one for the final snapshot if it learned since the last.
    public var modelVersion: Int {
        guard model != nil else { return 0 }
        return publishedVersions + (learnedSinceVersion > 0 ? 1 : 0)
    }

    /// The final model as a model document (`nil` without a learn stage): version per
    /// ``modelVersion``, the prequential metrics, and as training range the record indices the
    /// current model learned from since it last started from zero (offsets of the events topic).
    public var modelDocument: ModelDocument? {
        guard let model else { return nil }
        let version = modelVersion
        let offsets = learnedRange.map {
            [TrainingOffsetRange(topic: topology.topics.events.name, partition: 0, first: $0.lowerBound,
                                 last: $0.upperBound)]
        } ?? []
        var metrics: [String: Double] = [:]
        for (name, value) in scores?.values ?? [] { metrics[name] = value }
        return ModelDocument(name: topology.name, version: version, parentVersion: version > 1 ? version - 1 : nil,
                             pipeline: model, trainingOffsets: offsets, metrics: metrics)
    }

    /// Runs every record and returns the summary, calling `onStep` for each (e.g. for a trace).
    public mutating func run(_ input: [InputRecord], onStep: (EvaluationStep) throws -> Void) rethrows
        -> EvaluationSummary
    {
        for record in input {
            try onStep(process(record))
        }
        return summary
    }

    /// Runs every record and returns the summary.
    public mutating func run(_ input: [InputRecord]) -> EvaluationSummary {
        run(input, onStep: { _ in })
    }

    public var summary: EvaluationSummary {
        EvaluationSummary(evaluation: self)
    }
}

extension DataDriftSettings {
    /// The drift monitor's settings (tests once per full window, re-baselining after a detection).
    public var monitorConfiguration: FeatureDriftMonitor.Configuration {
        let numeric: FeatureDriftMonitor.NumericTest
        switch test {
        case .psi: numeric = .populationStability(threshold: threshold, bins: bins)
        case .ks, .chi2: numeric = .kolmogorovSmirnov(alpha: alpha)
        }
        return FeatureDriftMonitor.Configuration(numericTest: numeric, categoricalAlpha: alpha,
                                                 referenceSize: reference, windowSize: window)
    }
}
