import OnlineML

/// `on_drift: challenger`: after an alarm a challenger learns from zero weights beside the
/// champion (which keeps serving predictions). Both are scored on the same labelled events;
/// after `trial` of them the one with the lower mean loss is kept.
///
/// The challenger starts as a copy of the champion with its learner reset, so it shares the
/// transformer's statistics up to the alarm and then updates its own copy identically.
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
