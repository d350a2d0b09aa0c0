import Foundation
import Testing

/// `driftline bench pipeline`: the chain measurement pre-loads its events into the embedded
/// broker, which keeps only ~5 MiB per partition and drops the oldest batches silently.
@Suite struct BenchPipelineCommandTests {
    /// 12,000 events in one partition are more than the broker keeps: the run must say so at
    /// once, not wait for records no stage can ever read (it used to wait out 600 s).
    @Test func chainRunWithDroppedEventsFailsAtOnceSayingWhy() throws {
        let result = try DriftlineBinary.run(
            ["bench", "pipeline", "--parts", "chain", "--repeat", "1", "--partitions", "1",
             "--chain-events", "12000", "--chain-timeout", "120"],
            timeout: .seconds(90))
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("the embedded broker dropped"), "stderr: \(result.stderr)")
    }

    /// The RSS part runs once per `--repeat` and reports, per stage process, the peak and the
    /// steady figure — the highest sample of a later part of the same run, so never above the
    /// peak.
    @Test func rssPartRepeatsAndReportsPeakAndSteadyPerStage() throws {
        let result = try DriftlineBinary.run(
            ["bench", "pipeline", "--parts", "rss", "--repeat", "2", "--rss-events", "4000", "--partitions", "4"],
            timeout: .seconds(180))
        #expect(!result.timedOut)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("rss run 1,") && result.stderr.contains("rss run 2,"), "stderr: \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("RSS per stage process") })
        #expect(line.contains("peak / steady"))
        for stage in ["transform", "learn", "detect"] {
            let match = try #require(
                String(line).firstMatch(of: try Regex("\(stage) ([0-9.]+) / ([0-9.]+)")), "no figures for \(stage): \(line)")
            let peak = try #require(Double(String(match.output[1].substring ?? "")))
            let steady = try #require(Double(String(match.output[2].substring ?? "")))
            #expect(steady > 0 && steady <= peak, "\(stage): peak \(peak), steady \(steady)")
        }
    }

    /// A short latency part measures every event it fed and prints its settings, the feeder's
    /// tick among them, with quantiles in order.
    @Test func latencyPartMeasuresEveryFedEventAndPrintsItsSettings() throws {
        let result = try DriftlineBinary.run(
            ["bench", "pipeline", "--parts", "latency", "--repeat", "1", "--latency-rate", "500",
             "--latency-seconds", "2", "--latency-feed-tick-microseconds", "2000"],
            timeout: .seconds(150))
        #expect(!result.timedOut)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("event→prediction latency") })
        #expect(line.contains("at 500 events/s") && line.contains("feeder tick 2000 µs"), "\(line)")
        let match = try #require(String(line).firstMatch(of: try Regex("p50 ([0-9.]+) ms, p99 ([0-9.]+) ms")), "\(line)")
        let p50 = try #require(Double(String(match.output[1].substring ?? "")))
        let p99 = try #require(Double(String(match.output[2].substring ?? "")))
        #expect(p50 > 0 && p50 <= p99, "p50 \(p50), p99 \(p99)")
        // The 1,000 measured events came out as predictions (an event sent in the millisecond
        // the measurement began may fall before its start).
        let counted = try #require(result.stderr.firstMatch(of: try Regex("over ([0-9]+) predictions")), "stderr: \(result.stderr)")
        let count = try #require(Int(String(counted.output[1].substring ?? "")))
        #expect((990...1000).contains(count), "\(count) predictions measured")
    }

    /// A `--latency-property` without `=` fails before any measurement, saying why.
    @Test func malformedLatencyPropertyFailsSayingWhy() throws {
        let result = try DriftlineBinary.run(
            ["bench", "pipeline", "--parts", "latency", "--repeat", "1", "--latency-property", "socket.nagle.disable"],
            timeout: .seconds(60))
        #expect(!result.timedOut)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--latency-property needs key=value"), "stderr: \(result.stderr)")
    }
}
