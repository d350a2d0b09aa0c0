import OnlineML

/// `on_drift: challenger`: after an alarm a challenger learns from zero weights beside the
/// champion (which keeps serving predictions). Both are scored on the same labelled events;
/// after `trial` of them the one with the lower mean loss is kept.
///
/// The challenger starts as a copy of the champion with its learner reset, so it shares the
/// transformer's statistics up to the alarm and then updates its own copy identically.
///
/// A running trial is part of the learner's state: ``json`` is written into the model document
/// (`lineage.challenger_trial`) and ``init(json:)`` restores it, so a learner restored from a
/// document taken mid-trial continues the trial bit-identically.
struct ChallengerTrial: Sendable {
    var model: ModelPipeline
    /// Offset (record index for `evaluate`) of the alarm that started the trial.
    let startedAt: Int
    let length: Int
    /// Why the trial started (the alert), carried into the promoted version's lineage.
    let cause: JSONValue
    private(set) var events = 0
    private(set) var championLossSum = 0.0
    private(set) var challengerLossSum = 0.0
    /// Offsets the challenger learned from.
    private(set) var lineage = TrainingLineage()

    init(champion: ModelPipeline, startedAt: Int, length: Int, cause: JSONValue) {
        var model = champion
        model.resetLearner()
        self.model = model
        self.startedAt = startedAt
        self.length = length
        self.cause = cause
    }

    /// Adds one labelled event's losses; `true` when the trial is complete.
    mutating func record(championLoss: Double, challengerLoss: Double, position: InputPosition, learned: Bool) -> Bool {
        events += 1
        championLossSum += championLoss
        challengerLossSum += challengerLoss
        if learned { lineage.learned(at: position) }
        return events >= length
    }

    var championMeanLoss: Double { events > 0 ? championLossSum / Double(events) : 0 }
    var challengerMeanLoss: Double { events > 0 ? challengerLossSum / Double(events) : 0 }
    /// Ties keep the champion.
    var challengerWins: Bool { challengerLossSum < championLossSum }

    /// The running trial as the model document carries it: the challenger as a nested model
    /// document (its `training_offsets` are the trial's), the loss sums and counters.
    func json(name: String) -> JSONValue {
        let challenger = ModelDocument(name: name, version: 0, pipeline: model, trainingOffsets: lineage.ranges)
        return .object([
            "started_index": .integer(startedAt),
            "length": .integer(length),
            "cause": cause,
            "events": .integer(events),
            "champion_loss_sum": Self.exact(championLossSum),
            "challenger_loss_sum": Self.exact(challengerLossSum),
            "challenger": challenger.hashedContent,
        ])
    }

    /// Restores a trial written by ``json(name:)``.
    init(json: JSONValue) throws(ModelDocumentError) {
        guard let startedAt = json["started_index"]?.intValue, let length = json["length"]?.intValue,
              let cause = json["cause"], let events = json["events"]?.intValue,
              let championLossSum = json["champion_loss_sum"].flatMap(Self.exact),
              let challengerLossSum = json["challenger_loss_sum"].flatMap(Self.exact),
              let challenger = json["challenger"]
        else { throw ModelDocumentError("lineage.challenger_trial is incomplete") }
        let document = try ModelDocument(json: challenger, verifyHash: false)
        model = document.pipeline
        self.startedAt = startedAt
        self.length = length
        self.cause = cause
        self.events = events
        self.championLossSum = championLossSum
        self.challengerLossSum = challengerLossSum
        lineage = TrainingLineage(ranges: document.trainingOffsets)
    }

    /// A loss sum as JSON: a number (shortest round-trip form), or a string for the
    /// non-finite values JSON has no number for.
    private static func exact(_ x: Double) -> JSONValue {
        x.isFinite ? .number(x) : .string(x.description)
    }

    private static func exact(_ json: JSONValue) -> Double? {
        json.doubleValue ?? json.stringValue.flatMap(Double.init)
    }
}

/// How one challenger trial ended.
public struct ChallengerOutcome: Sendable, Equatable {
    /// Offset (record index for `evaluate`) of the alarm that started the trial.
    public var startedAt: Int
    /// Offset (record index) of the event that completed it.
    public var decidedAt: Int
    /// Labelled events in the trial.
    public var events: Int
    public var championMeanLoss: Double
    public var challengerMeanLoss: Double
    public var promoted: Bool

    public var json: JSONValue {
        .object([
            "started_index": .integer(startedAt),
            "decided_index": .integer(decidedAt),
            "events": .integer(events),
            "champion_loss": .number(championMeanLoss),
            "challenger_loss": .number(challengerMeanLoss),
            "promoted": .bool(promoted),
        ])
    }
}
