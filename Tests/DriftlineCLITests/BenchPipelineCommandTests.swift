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
