import Foundation
@testable import Monitoring
import Testing

/// The `/metrics` and `/health` endpoint, scraped over real loopback HTTP.
@Suite struct MetricsServerTests {
    /// A started server on a free loopback port, with its exposition and health.
    struct Running {
        let exposition = PrometheusExposition()
        let health = StageHealth(stage: "learn")
        let server: MetricsServer
        let port: Int

        init() throws {
            server = MetricsServer(configuration: .init(port: 0), exposition: exposition, health: health)
            port = try server.start()
        }

        var url: String { "http://127.0.0.1:\(port)" }
        var metrics: StageMetrics { StageMetrics(stage: "learn", factory: exposition.factory) }
    }

    @Test func metricsServesCountersAfterIncrementingThem() async throws {
        let running = try Running()
        defer { running.server.stop() }
        let metrics = running.metrics
        metrics.recordsIn(topic: "q.features", partition: 2).increment(by: 3)
        metrics.recordsOut(topic: "q.predictions").increment(by: 3)
        metrics.deadLetters(reason: "invalid_json").increment()
        metrics.processingTime().recordNanoseconds(250_000)
        metrics.consumerLag(topic: "q.features", partition: 2).record(17)
        metrics.modelVersion(model: "q").record(42)
        metrics.modelMetric(model: "q", name: "accuracy").record(0.875)
        metrics.driftAlerts(detector: "adwin", kind: "concept").increment()

        let response = try await HTTPTestClient.request("\(running.url)/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let lines = response.body.split(separator: "\n").map(String.init)
        for expected in [
            "# HELP driftline_records_in_total \(DriftlineMetric.recordsIn.help)",
            "# TYPE driftline_records_in_total counter",
            #"driftline_records_in_total{stage="learn",topic="q.features",partition="2"} 3"#,
            #"driftline_records_out_total{stage="learn",topic="q.predictions"} 3"#,
            #"driftline_dead_letters_total{stage="learn",reason="invalid_json"} 1"#,
            "# TYPE driftline_processing_seconds histogram",
            #"driftline_processing_seconds_bucket{stage="learn",le="0.0001"} 0"#,
            #"driftline_processing_seconds_bucket{stage="learn",le="0.0005"} 1"#,
            #"driftline_processing_seconds_count{stage="learn"} 1"#,
            "# TYPE driftline_consumer_lag gauge",
            #"driftline_consumer_lag{stage="learn",topic="q.features",partition="2"} 17.0"#,
            #"driftline_model_version{model="q"} 42.0"#,
            #"driftline_metric{model="q",name="accuracy"} 0.875"#,
            #"driftline_drift_alerts_total{stage="learn",detector="adwin",kind="concept"} 1"#,
        ] {
            #expect(lines.contains(expected), "missing line: \(expected)\n\(response.body)")
        }
        // Every metric of the catalog has exactly one HELP and one TYPE line.
        for metric in DriftlineMetric.allCases {
            #expect(lines.filter { $0.hasPrefix("# HELP \(metric.name) ") }.count == 1, "\(metric.name)")
            #expect(lines.filter { $0 == "# TYPE \(metric.name) \(metric.kind.rawValue)" }.count == 1, "\(metric.name)")
        }

        // A later scrape sees later increments.
        metrics.recordsIn(topic: "q.features", partition: 2).increment(by: 2)
        let again = try await HTTPTestClient.request("\(running.url)/metrics?ignored=1")
        #expect(again.body.contains(#"driftline_records_in_total{stage="learn",topic="q.features",partition="2"} 5"#))
    }

    /// The registry hashes its families and series; the exposition sorts them, so the same
    /// values give the same bytes whatever order the handles were created in.
    @Test func expositionOrderIsFixed() throws {
        func exposition(_ order: [Int]) -> String {
            let exposition = PrometheusExposition()
            let metrics = StageMetrics(stage: "learn", factory: exposition.factory)
            for index in order {
                metrics.recordsIn(topic: "t\(index % 3)", partition: index).increment(by: Int64(index))
                metrics.consumerLag(topic: "t", partition: index).record(Double(index))
                metrics.modelMetric(model: "m\(index)", name: "accuracy").record(0.5)
                StageMetrics(stage: "s\(index)", factory: exposition.factory).processingTime()
                    .recordNanoseconds(Int64(index) * 1_000_000)
            }
            return exposition.text()
        }
        let forward = exposition(Array(0..<12))
        let backward = exposition(Array((0..<12).reversed()))
        let shuffled = exposition([5, 11, 0, 7, 2, 9, 4, 1, 10, 3, 8, 6])
        #expect(forward == backward)
        #expect(forward == shuffled)
        let types = forward.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        #expect(types == [
            "# TYPE driftline_consumer_lag gauge",
            "# TYPE driftline_metric gauge",
            "# TYPE driftline_processing_seconds histogram",
            "# TYPE driftline_records_in_total counter",
        ])
        // A histogram's series stays whole: 13 buckets, +Inf, _sum and _count, in that order.
        let lines = forward.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: #"driftline_processing_seconds_bucket{stage="s0",le="0.00001"} 1"#))
        #expect(lines[start + 13] == #"driftline_processing_seconds_bucket{stage="s0",le="+Inf"} 1"#)
        #expect(lines[start + 14].hasPrefix(#"driftline_processing_seconds_sum{stage="s0"} "#))
        #expect(lines[start + 15] == #"driftline_processing_seconds_count{stage="s0"} 1"#)
    }

    @Test func healthReportsStartingThenRunning() async throws {
        let running = try Running()
        defer { running.server.stop() }

        let starting = try await HTTPTestClient.request("\(running.url)/health")
        #expect(starting.status == 503)
        #expect(starting.header("Content-Type") == "application/json")
        let first = try JSONDecoder().decode(HealthReport.self, from: Data(starting.body.utf8))
        #expect(first.status == .starting)
        #expect(first.stage == "learn")
        #expect(first.recordsProcessed == 0)
        #expect(first.lastProcessedAt == nil)
        #expect(first.uptimeSeconds >= 0)
        #expect(starting.body.contains(#""last_processed_at":null"#))

        running.health.markRunning()
        running.health.recordProcessed(count: 5)
        let ok = try await HTTPTestClient.request("\(running.url)/health")
        #expect(ok.status == 200)
        let report = try JSONDecoder().decode(HealthReport.self, from: Data(ok.body.utf8))
        #expect(report.status == .ok)
        #expect(report.recordsProcessed == 5)
        #expect(report.lastProcessedAt != nil)
        #expect((report.secondsSinceLastProcessed ?? -1) >= 0)
        #expect(report.uptimeSeconds >= first.uptimeSeconds)

        running.health.markFailing(reason: "broker unreachable")
        let failing = try await HTTPTestClient.request("\(running.url)/health")
        #expect(failing.status == 503)
        let failed = try JSONDecoder().decode(HealthReport.self, from: Data(failing.body.utf8))
        #expect(failed.status == .failing)
        #expect(failed.reason == "broker unreachable")
    }

    @Test func unknownPathIs404AndOtherMethodsAre405() async throws {
        let running = try Running()
        defer { running.server.stop() }
        let missing = try await HTTPTestClient.request("\(running.url)/nope")
        #expect(missing.status == 404)
        let post = try await HTTPTestClient.request("\(running.url)/metrics", method: "POST")
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET")
        let delete = try await HTTPTestClient.request("\(running.url)/health", method: "DELETE")
        #expect(delete.status == 405)
        // A body the server never reads does not cost the client its answer.
        let upload = try await HTTPTestClient.request("\(running.url)/metrics", method: "PUT",
                                                      body: Data(repeating: 0x61, count: 200_000))
        #expect(upload.status == 405)
        #expect(upload.body == "method PUT not allowed; use GET\n")
    }

    @Test func malformedAndOversizedRequestsAreRefusedAndServingGoesOn() async throws {
        let running = try Running()
        defer { running.server.stop() }

        let garbage = try HTTPTestClient.raw(port: running.port, Array("hello there\r\n\r\n".utf8))
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(garbage.contains("Connection: close\r\n"))

        let http2 = try HTTPTestClient.raw(port: running.port, Array("GET /metrics HTTP/2.0\r\n\r\n".utf8))
        #expect(http2.hasPrefix("HTTP/1.1 400 "))

        let incomplete = try HTTPTestClient.raw(port: running.port, Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8))
        #expect(incomplete.hasPrefix("HTTP/1.1 400 "))

        let huge = "GET /metrics HTTP/1.1\r\nX-Padding: " + String(repeating: "a", count: 20_000) + "\r\n\r\n"
        let tooLarge = try HTTPTestClient.raw(port: running.port, Array(huge.utf8))
        #expect(tooLarge.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))

        let plain = try HTTPTestClient.raw(port: running.port, Array("GET /health HTTP/1.0\r\n\r\n".utf8))
        #expect(plain.hasPrefix("HTTP/1.1 503 "))
        let body = try #require(plain.range(of: "\r\n\r\n")).upperBound
        let length = plain.split(separator: "\r\n").first { $0.hasPrefix("Content-Length: ") }
            .flatMap { Int($0.dropFirst("Content-Length: ".count)) }
        #expect(length == plain[body...].utf8.count)

        let after = try await HTTPTestClient.request("\(running.url)/metrics")
        #expect(after.status == 200)
    }

    @Test func portZeroPicksDistinctFreePortsAndStopReleasesThem() throws {
        let first = try Running()
        let second = try Running()
        #expect(first.port > 0)
        #expect(first.port != second.port)
        #expect(first.server.port == first.port)
        #expect(first.server.baseURL == "http://127.0.0.1:\(first.port)")

        // The same port twice is refused with a message that names it.
        let clash = MetricsServer(configuration: .init(port: first.port), exposition: PrometheusExposition(),
                                  health: StageHealth(stage: "x"))
        #expect(throws: MetricsServer.ServerError.self) { try clash.start() }

        first.server.stop()
        first.server.stop()
        second.server.stop()
        #expect(!HTTPTestClient.accepts(port: first.port))
        #expect(!HTTPTestClient.accepts(port: second.port))
        #expect(throws: MetricsServer.ServerError.self) { try first.server.start() }
    }

    @Test func onlyIPv4AddressesAreAccepted() {
        let server = MetricsServer(configuration: .init(host: "example.org", port: 0),
                                   exposition: PrometheusExposition(), health: StageHealth(stage: "x"))
        #expect(throws: MetricsServer.ServerError(message: "\"example.org\" is not an IPv4 address")) {
            try server.start()
        }
    }

    @Test func requestHeadParsing() throws {
        let head = try HTTPRequestHead.parse(ArraySlice("GET /metrics?a=b HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(head == HTTPRequestHead(method: "GET", path: "/metrics"))
        for bad in ["GET /metrics\r\n\r\n", "get /metrics HTTP/1.1\r\n\r\n", "GET metrics HTTP/1.1\r\n\r\n",
                    "GET  /metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1\n\n"] {
            #expect(throws: HTTPRequestHead.Problem.malformed, "\(bad.debugDescription)") {
                try HTTPRequestHead.parse(ArraySlice(bad.utf8))
            }
        }
        #expect(HTTPRequestHead.endOfHead(in: Array("GET / HTTP/1.1\r\n\r\nrest".utf8)) == 18)
        #expect(HTTPRequestHead.endOfHead(in: Array("GET / HTTP/1.1\r\n".utf8)) == nil)
    }

    /// Prometheus' own linter accepts the exposition (when Debian's `prometheus` package, which
    /// ships `promtool`, is installed; scripts/setup does not install it).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")))
    func promtoolAcceptsTheExposition() async throws {
        let running = try Running()
        defer { running.server.stop() }
        let metrics = running.metrics
        metrics.recordsIn(topic: "q.events", partition: 0).increment()
        metrics.recordsOut(topic: "q.features").increment()
        metrics.deadLetters(reason: "invalid_json").increment()
        metrics.processingTime().recordNanoseconds(1_000)
        metrics.consumerLag(topic: "q.events", partition: 0).record(3)
        metrics.modelVersion(model: "q").record(1)
        metrics.modelMetric(model: "q", name: "accuracy").record(0.5)
        metrics.driftAlerts(detector: "adwin", kind: "concept").increment()
        let body = try await HTTPTestClient.request("\(running.url)/metrics").body

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("promtool-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: report.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        process.standardInput = try FileHandle(forReadingFrom: file)
        let output = try FileHandle(forWritingTo: report)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        try output.close()
        let findings = try String(contentsOf: report, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(findings)")
        #expect(findings.isEmpty, "\(findings)")
    }
}
