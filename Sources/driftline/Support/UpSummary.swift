import OnlineML
import Pipeline

/// The JSON summary `driftline up` prints on stdout when it stops.
enum UpSummary {
    static func json(
        topology: Topology, brokers: String, stopReason: String, seconds: Duration, feeder: EventFeeder?,
        stages: [BuiltInStage], statistics: [StageStatistics], snapshot: PipelineWatcher.Snapshot, failures: [String]
    ) -> JSONValue {
        var stageObjects: [String: JSONValue] = [:]
        for (stage, stats) in zip(stages, statistics) {
            stageObjects[stage.rawValue] = .object([
                "records_in": .integer(stats.recordsIn), "records_out": .integer(stats.recordsOut),
                "dead_lettered": .integer(stats.deadLettered), "commits": .integer(stats.commits),
                "rebalances": .integer(stats.rebalances), "failure": stats.failure.map(JSONValue.string) ?? .null,
            ])
        }
        let models: [JSONValue] = snapshot.latestModels.map { model in
            .object([
                "key": .string(model.key), "name": .string(model.name), "version": .integer(model.version),
                "parent_version": model.parentVersion.map(JSONValue.integer) ?? .null,
                "reason": .string(model.reason), "events_learned": .integer(model.eventsLearned),
                "metrics": .object(Dictionary(uniqueKeysWithValues: model.metrics.map { ($0.0, JSONValue.number($0.1)) })),
                "content_hash": .string(model.contentHash), "offset": .integer(Int(model.offset)),
            ])
        }
        let alerts: [JSONValue] = snapshot.alerts.map { alert in
            .object([
                "model_key": .string(alert.modelKey), "kind": .string(alert.kind), "detector": .string(alert.detector),
                "model_version": alert.modelVersion.map(JSONValue.integer) ?? .null,
                "feature": alert.feature.map(JSONValue.string) ?? .null,
                "source": .object([
                    "partition": alert.sourcePartition.map(JSONValue.integer) ?? .null,
                    "offset": alert.sourceOffset.map(JSONValue.integer) ?? .null,
                ]),
                "alert_offset": .integer(Int(alert.alertOffset)),
            ])
        }
        let secs = Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18
        return .object([
            "topology": .string(topology.name),
            "brokers": .string(brokers),
            "stopped_by": .string(stopReason),
            "seconds": .number((secs * 1000).rounded() / 1000),
            "events": .integer(feeder?.delivered ?? statistics.first?.recordsIn ?? 0),
            "events_not_delivered": .integer(feeder?.failed ?? 0),
            "predictions": .integer(Int(snapshot.predictions)),
            "stages": .object(stageObjects),
            "models": .array(models),
            "model_records": .integer(snapshot.modelRecords),
            "final_model_hash": snapshot.latestModels.count == 1 ? .string(snapshot.latestModels[0].contentHash) : .null,
            "alerts": .array(alerts),
            "dead_letters": .integer(snapshot.deadLetters),
            "dead_letter_reasons": .object(Dictionary(uniqueKeysWithValues: snapshot.deadLetterReasons.map { ($0.0, JSONValue.integer($0.1)) })),
            "failures": .array(failures.map(JSONValue.string)),
        ])
    }
}
