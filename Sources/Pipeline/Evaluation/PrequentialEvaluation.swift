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
    /// The prequential step shared with the learn stage; `nil` without a learn stage.
    public private(set) var learner: PrequentialLearner?
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

    public init(topology: Topology) {
        self.topology = topology
        if let configuration = topology.modelPipelineConfiguration() {
            learner = PrequentialLearner(
                name: topology.name, configuration: configuration,
                publishEvery: topology.stages.learn?.publish.everyEvents)
        }
        conceptDetector = topology.stages.detect?.concept?.detector.makeDetector()
        if let data = topology.stages.detect?.data {
            dataMonitor = FeatureDriftMonitor(configuration: data.monitorConfiguration)
        }
    }

    /// The model being trained; `nil` for a topology without a learn stage.
    public var model: ModelPipeline? { learner?.model }
    public var scores: PrequentialScores? { learner?.scores }
    /// Learner resets triggered by `on_drift`.
    public var resets: Int { learner?.resets ?? 0 }
    /// Finished challenger trials, in order.
    public var challengerOutcomes: [ChallengerOutcome] { learner?.challengerOutcomes ?? [] }

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
        // `learner!` mutates in place: a copy would make every weight array copy-on-write per event.
        if learner != nil {
            let outcome: PrequentialLearner.Step
            do {
                outcome = try learner!.step(
                    event, at: InputPosition(topic: topology.topics.events.name, partition: 0, offset: step.index),
                    documents: false)
            } catch {
                reject(&step, error.description)
                return step
            }
            let prediction = outcome.prediction
            let isClassifier = learner!.model.configuration.task == .binaryClassification
            step.prediction = isClassifier ? (prediction.label == true ? 1 : 0) : prediction.value
            step.probability = isClassifier ? prediction.value : nil
            if let y = outcome.target {
                labelled += 1
                step.label = y
                step.loss = outcome.loss
                switch topology.stages.detect?.concept?.input {
                case .error?:
                    detectorInput = isClassifier ? (step.prediction == y ? 0 : 1) : abs(y - prediction.value)
                case .loss?:
                    detectorInput = outcome.loss
                default:
                    break
                }
            }
        }
        accepted += 1

        if let value = detectorInput, conceptDetector != nil, conceptDetector!.update(value),
           let evidence = conceptDetector!.lastDetection {
            let action = react(EvaluationDetection(index: step.index, line: line, time: eventTime(event),
                                                   evidence: evidence, action: "none"))
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
    private mutating func react(_ detection: EvaluationDetection) -> String {
        guard learner != nil, let learn = topology.stages.learn else { return "none" }
        var cause = detection.json.objectValue ?? [:]
        cause["action"] = nil
        switch learn.onDrift {
        case .none:
            return "none"
        case .challenger(let length):
            let started = learner!.startChallenger(length: length, at: detection.index, cause: .object(cause))
            return started ? RecordedDriftAction.Name.challengerStarted.rawValue : "none"
        case .reset(let scope):
            let action = RecordedDriftAction.Name(resetting: scope).rawValue
            cause["action"] = .string(action)
            learner!.reset(scope: scope, cause: .object(cause))
            return action
        }
    }

    private func monitoredValue(_ field: EventField) -> FeatureDriftMonitor.Value? {
        topology.monitoredValue(field)
    }

    private func eventTime(_ event: Event) -> FieldValue? {
        topology.schema.time.flatMap { event[$0] }
    }

    private mutating func reject(_ step: inout EvaluationStep, _ reason: String) {
        step.rejection = reason
        rejections.add(reason, line: step.line, index: step.index)
    }

    /// The version the final model document carries: one per `publish.every_events` learned
    /// events, one per reset and promotion (each completing the version in progress first), and
    /// the version in progress if it learned since.
    public var modelVersion: Int { learner?.version ?? 0 }

    /// The final model as a model document (`nil` without a learn stage): version per
    /// ``modelVersion``, the prequential metrics, and as training range the record indices the
    /// current model learned from since it last started from zero (offsets of the events topic).
    public var modelDocument: ModelDocument? { learner?.document }

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

extension Topology {
    /// The value a data-drift monitor takes from one event field, or `nil` if not watched.
    public func monitoredValue(_ field: EventField) -> FeatureDriftMonitor.Value? {
        guard let data = stages.detect?.data else { return nil }
        let schema = self.schema
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
}
