import OnlineML

/// Where in the learner's input an `on_drift` action (a reset, a challenger trial's start) took
/// effect: between two input records, before `features` (the next features record) and
/// `source` (the events position the next learned event will have: at or after it).
///
/// The learner applies an action when it reads the alert — a run-time decision, since alerts
/// come back through the detector asynchronously — so the position is recorded in the
/// action's cause (`applied_at`) and a replay re-applies the action there (``ModelReplay``).
public struct DriftActionPosition: Sendable, Hashable {
    /// The features topic, partition and offset of the next features record.
    public var features: InputPosition
    /// The events topic and partition of the learner's input and the offset after the last
    /// event it accounted for (what replay slices are indexed by).
    public var source: InputPosition

    public init(features: InputPosition, source: InputPosition) {
        self.features = features
        self.source = source
    }

    /// `{"features":{topic,partition,offset},"source":{topic,partition,offset}}`.
    public var json: JSONValue {
        .object(["features": features.json, "source": source.json])
    }

    public init?(json: JSONValue) {
        guard let features = json["features"].flatMap(InputPosition.init(json:)),
              let source = json["source"].flatMap(InputPosition.init(json:))
        else { return nil }
        self.init(features: features, source: source)
    }
}
