import CoreMetrics
import Prometheus

/// One Prometheus registry and the swift-metrics factory that feeds it: what `/metrics` serves.
///
/// Handles created through ``factory`` (or through `MetricsSystem` after
/// `MetricsSystem.bootstrap(exposition.factory)`) appear in ``text()``, with the `# HELP` lines
/// of ``DriftlineMetric`` added (swift-prometheus' factory registers metrics without help).
public struct PrometheusExposition: Sendable {
    /// The Prometheus text format version served (`Content-Type`).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let registry: PrometheusCollectorRegistry
    /// Creates swift-metrics handles in ``registry``; `driftline_processing_seconds` gets
    /// ``DriftlineMetric/processingSecondsBuckets``.
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[DriftlineMetric.processingSeconds.name] =
            DriftlineMetric.processingSecondsBuckets
        self.factory = factory
    }

    /// The exposition text. Families come in the registry's order (unspecified); lines within a
    /// family are the registry's.
    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let emitted = String(decoding: buffer, as: UTF8.self)
        var out = ""
        out.reserveCapacity(emitted.utf8.count + 1024)
        for line in emitted.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).prefix(while: { $0 != " " })
                if let metric = DriftlineMetric(rawValue: String(name)) {
                    out += "# HELP \(name) \(metric.help)\n"
                }
            }
            out += line
            out += "\n"
        }
        return out
    }
}
