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

    /// The exposition text: families sorted by name, series within a family sorted by their
    /// labels (the registry keeps them in hashed dictionaries, whose order changes from process
    /// to process), so the same values always read the same.
    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Self.ordered(String(decoding: buffer, as: UTF8.self))
    }

    /// One metric family as the registry wrote it.
    private struct Family {
        var name: String
        var help: Substring?
        var type: Substring?
        var isHistogram = false
        /// One series per group; a histogram series is its bucket, `_sum` and `_count` lines.
        var series: [[Substring]] = []
        var open: [Substring] = []
    }

    /// Regroups the registry's output by family and series, then sorts both.
    static func ordered(_ emitted: String) -> String {
        var families: [Family] = []
        func family(named name: String) -> Int {
            if let last = families.indices.last, families[last].name == name { return last }
            families.append(Family(name: name))
            return families.count - 1
        }
        for line in emitted.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix(while: { $0 != " " }))
                let index = family(named: name)
                if line.hasPrefix("# HELP ") {
                    families[index].help = line
                } else {
                    families[index].type = line
                    families[index].isHistogram = rest.hasSuffix(" histogram")
                }
                continue
            }
            guard !line.hasPrefix("#"), let index = families.indices.last else { continue }
            if families[index].isHistogram {
                families[index].open.append(line)
                if line.hasPrefix("\(families[index].name)_count") {
                    families[index].series.append(families[index].open)
                    families[index].open = []
                }
            } else {
                families[index].series.append([line])
            }
        }

        var out = ""
        out.reserveCapacity(emitted.utf8.count + 1024)
        for family in families.sorted(by: { $0.name < $1.name }) {
            if let help = family.help {
                out += help + "\n"
            } else if let metric = DriftlineMetric(rawValue: family.name) {
                out += "# HELP \(family.name) \(metric.help)\n"
            }
            if let type = family.type { out += type + "\n" }
            var series = family.series
            if !family.open.isEmpty { series.append(family.open) }
            for lines in series.sorted(by: { ($0.first ?? "") < ($1.first ?? "") }) {
                for line in lines { out += line + "\n" }
            }
        }
        return out
    }
}
