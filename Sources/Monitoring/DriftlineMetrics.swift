import CoreMetrics

/// Every metric a Driftline stage exports, in one place: names, labels, meaning and units.
///
/// Stages and the engine create handles through ``StageMetrics`` (swift-metrics types, so any
/// swift-metrics backend works); ``PrometheusExposition`` serves them as Prometheus text with
/// these help lines. Names follow Prometheus conventions: `_total` for counters, base units
/// (seconds) in the name.
///
/// | name | type | labels | meaning |
/// |---|---|---|---|
/// | `driftline_records_in_total` | counter | stage, topic, partition | records consumed |
/// | `driftline_records_out_total` | counter | stage, topic | records produced (delivered) |
/// | `driftline_dead_letters_total` | counter | stage, reason | records sent to the dead-letter topic |
/// | `driftline_processing_seconds` | histogram | stage | time to process one input record, sampled: one record in 16 is timed (the count is of timed records) |
/// | `driftline_consumer_lag` | gauge | stage, topic, partition | high watermark − committed offset |
/// | `driftline_model_version` | gauge | model | latest published model version |
/// | `driftline_metric` | gauge | model, name | a prequential metric of the model (`accuracy`, `log_loss`, `rmse`, …) |
/// | `driftline_drift_alerts_total` | counter | stage, detector, kind | drift alarms raised (`kind`: concept or data) |
public enum DriftlineMetric: String, Sendable, Equatable, CaseIterable {
    case recordsIn = "driftline_records_in_total"
    case recordsOut = "driftline_records_out_total"
    case deadLetters = "driftline_dead_letters_total"
    case processingSeconds = "driftline_processing_seconds"
    case consumerLag = "driftline_consumer_lag"
    case modelVersion = "driftline_model_version"
    case modelMetric = "driftline_metric"
    case driftAlerts = "driftline_drift_alerts_total"

    /// The Prometheus metric type.
    public enum Kind: String, Sendable, Equatable {
        case counter, gauge, histogram
    }

    /// The exported name.
    public var name: String { rawValue }

    public var kind: Kind {
        switch self {
        case .recordsIn, .recordsOut, .deadLetters, .driftAlerts: return .counter
        case .consumerLag, .modelVersion, .modelMetric: return .gauge
        case .processingSeconds: return .histogram
        }
    }

    /// Label names, in the order handles are created with them.
    public var labels: [String] {
        switch self {
        case .recordsIn: return ["stage", "topic", "partition"]
        case .recordsOut: return ["stage", "topic"]
        case .deadLetters: return ["stage", "reason"]
        case .processingSeconds: return ["stage"]
        case .consumerLag: return ["stage", "topic", "partition"]
        case .modelVersion: return ["model"]
        case .modelMetric: return ["model", "name"]
        case .driftAlerts: return ["stage", "detector", "kind"]
        }
    }

    /// The `# HELP` text.
    public var help: String {
        switch self {
        case .recordsIn: return "Records a stage consumed, by input topic and partition."
        case .recordsOut: return "Records a stage produced and the broker acknowledged, by output topic."
        case .deadLetters: return "Records a stage could not handle and sent to the dead-letter topic, by reason."
        case .processingSeconds: return "Seconds a stage spent processing one input record; one record in 16 is timed, so the count is of timed records, not of all."
        case .consumerLag: return "Records in the partition not yet committed by the stage (high watermark minus committed offset)."
        case .modelVersion: return "Latest model version the learner published."
        case .modelMetric: return "A prequential metric of the model, measured before learning from each event."
        case .driftAlerts: return "Drift alarms a stage raised, by detector and kind (concept or data)."
        }
    }

    /// Bucket upper bounds of `driftline_processing_seconds`: 10 µs to 10 s, from a forwarded
    /// record to one that retrains a model or reads a control topic.
    public static let processingSecondsBuckets: [Duration] = [
        .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500),
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50),
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10),
    ]
}

/// The metric handles of one stage, created with that stage's label. Creating a handle looks it
/// up in the backend (a lock and a dictionary probe), so the engine keeps handles per partition
/// rather than creating one per record.
public struct StageMetrics: Sendable {
    /// The `stage` label: `transform`, `learn`, `detect` or a user stage's name.
    public let stage: String
    private let factory: any MetricsFactory

    /// `factory` defaults to the process-wide swift-metrics backend (`MetricsSystem.bootstrap`);
    /// pass ``PrometheusExposition/factory`` to use one exposition without bootstrapping.
    public init(stage: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.stage = stage
        self.factory = factory
    }

    /// `driftline_records_in_total{stage, topic, partition}`.
    public func recordsIn(topic: String, partition: Int) -> Counter {
        Counter(label: DriftlineMetric.recordsIn.name,
                dimensions: [("stage", stage), ("topic", topic), ("partition", String(partition))],
                factory: factory)
    }

    /// `driftline_records_out_total{stage, topic}`.
    public func recordsOut(topic: String) -> Counter {
        Counter(label: DriftlineMetric.recordsOut.name, dimensions: [("stage", stage), ("topic", topic)],
                factory: factory)
    }

    /// `driftline_dead_letters_total{stage, reason}`. Keep `reason` to a small fixed set
    /// (`invalid_json`, `missing_target`, …): every distinct value is a new time series.
    public func deadLetters(reason: String) -> Counter {
        Counter(label: DriftlineMetric.deadLetters.name, dimensions: [("stage", stage), ("reason", reason)],
                factory: factory)
    }

    /// `driftline_processing_seconds{stage}`, a histogram with
    /// ``DriftlineMetric/processingSecondsBuckets`` under ``PrometheusExposition``.
    public func processingTime() -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: DriftlineMetric.processingSeconds.name, dimensions: [("stage", stage)],
                          factory: factory)
    }

    /// `driftline_consumer_lag{stage, topic, partition}`.
    public func consumerLag(topic: String, partition: Int) -> Gauge {
        Gauge(label: DriftlineMetric.consumerLag.name,
              dimensions: [("stage", stage), ("topic", topic), ("partition", String(partition))],
              factory: factory)
    }

    /// `driftline_model_version{model}`.
    public func modelVersion(model: String) -> Gauge {
        Gauge(label: DriftlineMetric.modelVersion.name, dimensions: [("model", model)], factory: factory)
    }

    /// `driftline_metric{model, name}`, e.g. `name: "accuracy"`.
    public func modelMetric(model: String, name: String) -> Gauge {
        Gauge(label: DriftlineMetric.modelMetric.name, dimensions: [("model", model), ("name", name)],
              factory: factory)
    }

    /// `driftline_drift_alerts_total{stage, detector, kind}`; `kind` is `concept` or `data`.
    public func driftAlerts(detector: String, kind: String) -> Counter {
        Counter(label: DriftlineMetric.driftAlerts.name,
                dimensions: [("stage", stage), ("detector", detector), ("kind", kind)], factory: factory)
    }
}
