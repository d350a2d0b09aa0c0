import Foundation
import Monitoring
import Testing
import TestSupport

/// The metric catalog and its documentation say the same thing.
@Suite struct MetricCatalogTests {
    @Test func operationsGuideListsEveryMetricWithItsTypeAndLabels() throws {
        let guide = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/operations.md"),
                               encoding: .utf8)
        let rows = guide.split(separator: "\n")
            .filter { $0.hasPrefix("| `driftline_") }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        let documented = rows.map { "\($0[0].trimmingCharacters(in: ["`"])) \($0[1]) \($0[2])" }
        let catalog = DriftlineMetric.allCases.map {
            "\($0.name) \($0.kind.rawValue) \($0.labels.joined(separator: ", "))"
        }
        #expect(documented == catalog)
    }

    @Test func namesFollowPrometheusConventions() {
        for metric in DriftlineMetric.allCases {
            #expect(metric.name.hasPrefix("driftline_"))
            #expect(metric.name.allSatisfy { $0.isLowercase || $0 == "_" })
            #expect(metric.name.hasSuffix("_total") == (metric.kind == .counter), "\(metric.name)")
            #expect(!metric.help.isEmpty)
        }
        #expect(DriftlineMetric.processingSecondsBuckets == DriftlineMetric.processingSecondsBuckets.sorted())
    }
}
