import CoreMetrics
import Kafka
import Monitoring
import Pipeline

/// Turns a runner's ``StageStatistics`` snapshots into the ``DriftlineMetric`` series: counters
/// advance by what changed since the last export, gauges take the latest value, and the
/// processing-time histogram receives one observation per record counted in each bucket (the
/// bucket's upper bound; the engine's own histogram is per record, `/metrics` buckets coarser).
///
/// Called about once a second by the command that owns the runner, so the hot loop never
/// touches a metrics lock.
struct StageMetricsExporter {
    let metrics: StageMetrics
    let health: StageHealth
    private var last: StageStatistics
    private var recordsIn: [KafkaTopicPartition: Counter] = [:]
    private var lags: [KafkaTopicPartition: Gauge] = [:]
    private var recordsOut: Counter
    private var deadLetters: Counter
    private let processing: CoreMetrics.Timer
    private let outputTopic: String

    /// `outputTopic`: the topic the stage's forwarded records go to (its main output).
    init(metrics: StageMetrics, health: StageHealth, outputTopic: String) {
        self.metrics = metrics
        self.health = health
        self.outputTopic = outputTopic
        last = StageStatistics(stage: metrics.stage)
        recordsOut = metrics.recordsOut(topic: outputTopic)
        deadLetters = metrics.deadLetters(reason: "rejected")
        processing = metrics.processingTime()
    }

    private mutating func counter(for tp: KafkaTopicPartition) -> Counter {
        if let counter = recordsIn[tp] { return counter }
        let counter = metrics.recordsIn(topic: tp.topic, partition: Int(tp.partition))
        recordsIn[tp] = counter
        return counter
    }

    mutating func export(_ statistics: StageStatistics) {
        // Per-partition counts follow each partition's next offset. A partition seen for the
        // first time gets the records the totals say were handled but no known partition
        // accounts for (its starting offset may be a restored one, not 0).
        var unattributed = max(0, statistics.recordsIn - last.recordsIn)
        var fresh: [StageStatistics.Partition] = []
        for partition in statistics.partitions {
            guard let next = partition.nextOffset else { continue }
            if let previous = last.partitions.first(where: { $0.topicPartition == partition.topicPartition })?.nextOffset {
                let advanced = max(0, next - previous)
                if advanced > 0 { counter(for: partition.topicPartition).increment(by: advanced) }
                unattributed -= Int(advanced)
            } else {
                fresh.append(partition)
            }
        }
        for partition in fresh {
            let share = min(Int(partition.nextOffset ?? 0), max(0, unattributed))
            counter(for: partition.topicPartition).increment(by: Int64(share))
            unattributed -= share
        }
        for partition in statistics.partitions {
            let tp = partition.topicPartition
            if let lag = partition.lag {
                let gauge = lags[tp] ?? metrics.consumerLag(topic: tp.topic, partition: Int(tp.partition))
                lags[tp] = gauge
                gauge.record(Double(lag))
            }
        }
        let out = statistics.recordsOut - last.recordsOut
        if out > 0 { recordsOut.increment(by: Int64(out)) }
        let dead = statistics.deadLettered - last.deadLettered
        if dead > 0 { deadLetters.increment(by: Int64(dead)) }
        let histogram = statistics.processingLatency
        let before = last.processingLatency.bucketCounts
        for (index, count) in histogram.bucketCounts.enumerated() {
            let new = count - (index < before.count ? before[index] : 0)
            guard new > 0 else { continue }
            let bound = index < histogram.upperBounds.count ? histogram.upperBounds[index] : 10
            let nanoseconds = Int64(bound * 1e9)
            for _ in 0..<new { processing.recordNanoseconds(nanoseconds) }
        }
        if statistics.recordsIn > last.recordsIn { health.recordProcessed(count: statistics.recordsIn - last.recordsIn) }
        if let failure = statistics.failure {
            health.markFailing(reason: failure)
        } else if statistics.rebalances > 0 {
            health.markRunning()
        }
        last = statistics
    }
}

/// Exports what the model and alert topics say (`driftline_model_version`,
/// `driftline_metric`, `driftline_drift_alerts_total`) from a ``PipelineWatcher``.
struct ModelMetricsExporter {
    private let learn: StageMetrics
    private let detect: StageMetrics
    private let models: Bool
    private let alerts: Bool
    private var alertsSeen = 0

    init(factory: any MetricsFactory, models: Bool = true, alerts: Bool = true) {
        learn = StageMetrics(stage: "learn", factory: factory)
        detect = StageMetrics(stage: "detect", factory: factory)
        self.models = models
        self.alerts = alerts
    }

    mutating func export(_ snapshot: PipelineWatcher.Snapshot) {
        for model in snapshot.latestModels where models {
            learn.modelVersion(model: model.key).record(Double(model.version))
            for (name, value) in model.metrics where value.isFinite {
                learn.modelMetric(model: model.key, name: name).record(value)
            }
        }
        for alert in snapshot.alerts.dropFirst(alertsSeen) where alerts {
            detect.driftAlerts(detector: alert.detector, kind: alert.kind).increment()
        }
        alertsSeen = snapshot.alerts.count
    }
}
