import OnlineML

/// An `on_drift` action as the model documents of a key record it: what was done (a reset of
/// a scope, a challenger trial of a length), the cause the learner applied it with, and where
/// in its input it took effect (``DriftActionPosition``). ``ModelReplay`` re-applies it there.
///
/// The documents name every action a version depends on: a reset document's
/// `lineage.started_by`, a promoted version's `started_by.alert` (the trial's cause) and a
/// document taken while a trial ran (`lineage.challenger_trial`). A trial that ended without
/// promotion between two documents leaves no trace, and needs none: it changed no model.
public struct RecordedDriftAction: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case reset(DriftResponse.ResetScope)
        /// A trial of `length` labelled events; `startedAt` is the offset its outcome names.
        case challenger(length: Int, startedAt: Int)
    }

    public var kind: Kind
    public var position: DriftActionPosition
    /// The cause exactly as the learner applied it, so the rebuilt lineage is the recorded one.
    public var cause: JSONValue

    public init(kind: Kind, position: DriftActionPosition, cause: JSONValue) {
        self.kind = kind
        self.position = position
        self.cause = cause
    }

    /// What a lineage cause's `action` member calls each action. The learner and the learn
    /// stage write these names, `driftline evaluate` reports them, ``collect(from:)`` reads them.
    public enum Name: String, Sendable {
        case resetModel = "reset_model"
        case resetPipeline = "reset_pipeline"
        case challengerStarted = "challenger_started"
        /// A promoted challenger's `started_by`; its `alert` is the trial's cause.
        case promoteChallenger = "promote_challenger"

        /// The reset of `scope`.
        public init(resetting scope: DriftResponse.ResetScope) {
            self = scope == .model ? .resetModel : .resetPipeline
        }
    }

    /// `reset_model`, `reset_pipeline` or `challenger_started`.
    public var action: String {
        switch kind {
        case .reset(let scope): Name(resetting: scope).rawValue
        case .challenger: Name.challengerStarted.rawValue
        }
    }

    /// From a cause written by the learn stage (its `action` and `applied_at`); a trial also
    /// needs the offset its outcome names and its length. Nil for causes without a position
    /// (documents written before positions were recorded, `driftline evaluate`'s detections).
    init?(cause: JSONValue, startedAt: Int? = nil, length: Int? = nil) {
        guard let position = cause["applied_at"].flatMap(DriftActionPosition.init(json:)) else { return nil }
        switch cause["action"]?.stringValue.flatMap(Name.init(rawValue:)) {
        case .resetModel: kind = .reset(.model)
        case .resetPipeline: kind = .reset(.pipeline)
        case .challengerStarted:
            guard let startedAt, let length = cause["trial_length"]?.intValue ?? length else { return nil }
            kind = .challenger(length: length, startedAt: startedAt)
        case .promoteChallenger, nil: return nil
        }
        self.position = position
        self.cause = cause
    }

    /// The actions `documents` record, deduplicated, in input order (by source then features
    /// position).
    public static func collect(from documents: [ModelDocument]) -> [RecordedDriftAction] {
        var actions: [RecordedDriftAction] = []
        func add(_ action: RecordedDriftAction?) {
            if let action, !actions.contains(action) { actions.append(action) }
        }
        for document in documents {
            guard let lineage = document.lineage else { continue }
            if let startedBy = lineage["started_by"], startedBy != .null {
                if startedBy["action"]?.stringValue == Name.promoteChallenger.rawValue, let alert = startedBy["alert"] {
                    add(Self(cause: alert, startedAt: startedBy["trial"]?["started_index"]?.intValue,
                             length: startedBy["trial"]?["events"]?.intValue))
                } else {
                    add(Self(cause: startedBy))
                }
            }
            if let trial = lineage["challenger_trial"], let cause = trial["cause"] {
                add(Self(cause: cause, startedAt: trial["started_index"]?.intValue, length: trial["length"]?.intValue))
            }
        }
        return actions.enumerated().sorted {
            let (a, b) = ($0.element.position, $1.element.position)
            if a.source.offset != b.source.offset { return a.source.offset < b.source.offset }
            if a.features.offset != b.features.offset { return a.features.offset < b.features.offset }
            return $0.offset < $1.offset
        }.map(\.element)
    }

    /// The action in a slice header: `{"cause":…,"started_index":…,"length":…}` (the last two
    /// for a trial).
    public var json: JSONValue {
        var object: [String: JSONValue] = ["cause": cause]
        if case .challenger(let length, let startedAt) = kind {
            object["length"] = .integer(length)
            object["started_index"] = .integer(startedAt)
        }
        return .object(object)
    }

    public init?(json: JSONValue) {
        guard let cause = json["cause"] else { return nil }
        self.init(cause: cause, startedAt: json["started_index"]?.intValue, length: json["length"]?.intValue)
    }
}
