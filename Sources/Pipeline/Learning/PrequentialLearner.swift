import OnlineML

/// The prequential step shared by `driftline evaluate` (``PrequentialEvaluation``) and the
/// learn stage (`LearnStage`): predict, score, learn if labelled, count the event towards the
/// model version, and run a challenger trial — so both produce bit-identical model documents
/// from the same events in the same order.
///
/// Versions: a version is *completed* every `publishEvery` learned events, by a reset and by a
/// promotion. Between completions the model is the version in progress (`completedVersion + 1`);
/// a document taken then (a checkpoint, the final model of an evaluation) carries that number
/// and `lineage.version_events` > 0, and is superseded by the next document of the same number.
/// So checkpoints never shift the numbering: a learner restarted from a checkpoint publishes
/// exactly the versions an uninterrupted one would.
public struct PrequentialLearner: Sendable {
    /// The model name (the record key on the model topic, and the document's `name`).
    public let name: String
    /// Learned events per completed version; nil: only resets and promotions complete one.
    public let publishEvery: Int?
    public private(set) var model: ModelPipeline
    public private(set) var scores: PrequentialScores
    /// The last completed version (0 before any).
    public private(set) var completedVersion = 0
    /// Events learned since the last completed version.
    public private(set) var versionEvents = 0
    /// The version that started the current lineage (a reset or a promotion); nil for the first.
    public private(set) var lineageStart: Int?
    /// Why the current lineage started (the alert or detection), carried by its documents.
    public private(set) var lineageCause: JSONValue?
    /// Learner resets done by ``reset(scope:cause:)``.
    public private(set) var resets = 0
    /// Finished challenger trials, in order.
    public private(set) var challengerOutcomes: [ChallengerOutcome] = []
    private var lineage = TrainingLineage()
    private var trial: ChallengerTrial?

    /// A fresh learner.
    public init(name: String, configuration: ModelPipelineConfiguration, publishEvery: Int?) {
        self.name = name
        self.publishEvery = publishEvery
        model = ModelPipeline(configuration: configuration)
        scores = PrequentialScores(task: configuration.task)
    }

    /// Continues from a published document (restore): model, metrics, lineage, version
    /// bookkeeping and a running challenger trial (`lineage.challenger_trial`) as they were
    /// when it was taken.
    public init(restoring document: ModelDocument, publishEvery: Int?) throws(ModelDocumentError) {
        name = document.name
        self.publishEvery = publishEvery
        model = document.pipeline
        scores = PrequentialScores(task: document.pipeline.configuration.task, documentMetrics: document.metrics)
        versionEvents = document.lineage?["version_events"]?.intValue ?? 0
        completedVersion = versionEvents > 0 ? document.version - 1 : document.version
        lineageStart = document.lineage?["started_at_version"]?.intValue
        lineageCause = document.lineage?["started_by"].flatMap { $0 == .null ? nil : $0 }
        lineage = TrainingLineage(ranges: document.trainingOffsets)
        if let running = document.lineage?[Self.trialMember], running != .null {
            trial = try ChallengerTrial(json: running)
        }
    }

    /// The lineage member holding a running challenger trial (absent when none runs, so a
    /// document without a trial encodes as it always did).
    static let trialMember = "challenger_trial"

    /// The version of the current model: the last completed one, or the one in progress when
    /// it learned since. Predictions are stamped with it.
    public var version: Int { completedVersion + (versionEvents > 0 ? 1 : 0) }

    /// Whether a challenger trial is running.
    public var isTrialRunning: Bool { trial != nil }

    /// What one step did.
    public struct Step: Sendable {
        public var prediction: Prediction
        /// The decoded label (classification: 0 or 1), nil when unlabelled.
        public var target: Double?
        /// The event's loss before learning, when labelled.
        public var loss: Double?
        public var learned: Bool
        /// Versions completed by this step (periodic, then a promotion), oldest first; filled
        /// only when asked for (`documents: true`).
        public var completed: [ModelDocument] = []
        /// The completed version numbers, whether or not documents were asked for.
        public var completedVersions: [Int] = []
        /// A challenger trial this step decided.
        public var challenger: ChallengerOutcome?
    }

    /// Predicts, scores, learns if labelled, and runs the challenger on the same event.
    /// A rejected event changes nothing (the model's own rule) and throws.
    public mutating func step(_ event: Event, at position: InputPosition, documents: Bool) throws(EventRejection) -> Step {
        // `model` mutates in place: a copy would make every weight array copy-on-write per event.
        let outcome = try model.processOne(event)
        var step = Step(prediction: outcome.prediction, target: outcome.target, learned: outcome.learned)
        guard let y = outcome.target else { return step }
        let loss = scores.update(target: y, prediction: outcome.prediction)
        step.loss = loss
        if outcome.learned {
            lineage.learned(at: position)
            versionEvents += 1
        }
        // The trial runs before a periodic version is completed, so the completed document
        // holds the trial as it is after this event — the state a learner restored from it
        // must continue with.
        runTrial(event, championLoss: loss, at: position, step: &step, documents: documents)
        if outcome.learned, let every = publishEvery, versionEvents >= every {
            complete(&step, documents: documents)
        }
        return step
    }

    /// Applies `on_drift: reset`: completes the version in progress (if it learned anything;
    /// predictions were stamped with it), restarts the learner (and the transformer for
    /// `pipeline`) and completes a version holding the zero model, whose lineage names
    /// `cause`. Returns the completed documents, oldest first.
    @discardableResult
    public mutating func reset(scope: DriftResponse.ResetScope, cause: JSONValue) -> [ModelDocument] {
        var completed: [ModelDocument] = []
        if versionEvents > 0 {
            completed.append(document)
            completedVersion += 1
            versionEvents = 0
        }
        switch scope {
        case .model: model.resetLearner()
        case .pipeline: model.resetAll()
        }
        resets += 1
        lineage = TrainingLineage()
        completedVersion += 1
        lineageStart = completedVersion
        lineageCause = cause
        completed.append(document)
        return completed
    }

    /// Applies `on_drift: challenger`: starts a trial of `length` labelled events unless one
    /// is running. Returns whether it started.
    @discardableResult
    public mutating func startChallenger(length: Int, at offset: Int, cause: JSONValue) -> Bool {
        guard trial == nil else { return false }
        trial = ChallengerTrial(champion: model, startedAt: offset, length: length, cause: cause)
        return true
    }

    /// The current model as a document (a checkpoint when a version is in progress).
    public var document: ModelDocument {
        let version = self.version
        var members: [String: JSONValue] = [
            "version_events": .integer(versionEvents),
            "started_at_version": lineageStart.map { .integer($0) } ?? .null,
            "started_by": lineageCause ?? .null,
        ]
        if let trial { members[Self.trialMember] = trial.json(name: name) }
        return ModelDocument(
            name: name, version: version, parentVersion: version > 1 ? version - 1 : nil, pipeline: model,
            trainingOffsets: lineage.ranges, metrics: scores.documentMetrics, lineage: .object(members))
    }

    private mutating func complete(_ step: inout Step, documents: Bool) {
        completedVersion += 1
        versionEvents = 0
        step.completedVersions.append(completedVersion)
        if documents { step.completed.append(document) }
    }

    /// Lets the running challenger predict and learn the same labelled event, and settles the
    /// trial when it is complete.
    private mutating func runTrial(
        _ event: Event, championLoss: Double, at position: InputPosition, step: inout Step, documents: Bool
    ) {
        guard trial != nil else { return }
        let outcome: PrequentialOutcome
        do {
            outcome = try trial!.model.processOne(event)  // in place, as for the champion
        } catch {
            // The challenger cannot learn what the champion could: it loses.
            let running = trial!
            trial = nil
            let result = ChallengerOutcome(
                startedAt: running.startedAt, decidedAt: position.offset, events: running.events,
                championMeanLoss: running.championMeanLoss, challengerMeanLoss: .infinity, promoted: false)
            challengerOutcomes.append(result)
            step.challenger = result
            return
        }
        guard let y = outcome.target else { return }
        let loss = PrequentialScores.loss(task: scores.task, target: y, prediction: outcome.prediction)
        let trialDone = trial!.record(championLoss: championLoss, challengerLoss: loss, position: position,
                                     learned: outcome.learned)
        guard trialDone else { return }
        let running = trial!
        trial = nil
        let result = ChallengerOutcome(
            startedAt: running.startedAt, decidedAt: position.offset, events: running.events,
            championMeanLoss: running.championMeanLoss, challengerMeanLoss: running.challengerMeanLoss,
            promoted: running.challengerWins)
        challengerOutcomes.append(result)
        step.challenger = result
        if result.promoted {
            // The champion's version in progress is completed first (predictions carry it).
            if versionEvents > 0 {
                complete(&step, documents: documents)
            }
            model = running.model
            lineage = running.lineage
            // The promoted model is published as a new version at once.
            lineageCause = .object([
                "action": .string(RecordedDriftAction.Name.promoteChallenger.rawValue),
                "trial": result.json,
                "alert": running.cause,
            ])
            completedVersion += 1
            versionEvents = 0
            lineageStart = completedVersion
            step.completedVersions.append(completedVersion)
            if documents { step.completed.append(document) }
        }
    }
}
