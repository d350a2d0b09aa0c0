import ArgumentParser
import CKafkaReferenceLoop
import Foundation
import Kafka
import OnlineML
import Pipeline
import Synchronization

/// `driftline bench pipeline`: the engine over the embedded broker, each figure beside a
/// reference measured in the same run.
///
/// - no-op stage: a ``StageRunner`` whose stage forwards every record unchanged, against a
///   plain C consume → produce loop over librdkafka (`dl_reference_pipe`) on the same records;
/// - chain: the quickstart topology's transform → learn → detect, all running, over a
///   pre-loaded events topic: events per second from the transform's first record to the
///   detect stage's last;
/// - latency: the chain, at the topology's own partition count unless `--latency-partitions`
///   says otherwise, fed at a paced rate; event → prediction latency from the event's
///   produce timestamp (carried to the prediction record) to its arrival at a consumer, for
///   the events fed after a warm-up (paced events until all of them came out as predictions:
///   group joins, restores and first fetches are not in the figure);
/// - RSS: each stage as its own `driftline stage` process (VmRSS from /proc) through a
///   pre-loaded backlog and the idle seconds after: the peak, and a steady figure that leaves
///   out the start of the backlog (``ResidentMemorySeries``).
///
/// The machine is shared: the load average and this process's CPU time are printed too.
struct BenchPipeline: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measure stages over the embedded broker: no-op vs C loop, chain rate, latency, RSS.",
        discussion: """
            Build with `swift build -c release` first. Example:
              driftline bench pipeline --repeat 3
            """
    )

    @Option(help: "The topology whose stages form the chain.")
    var topology: String = "topologies/quickstart.yaml"

    @Option(help: "Records for the no-op stage measurement.")
    var noopRecords: Int = 500_000

    @Flag(help: "No-op stage: leave output partitions to the key partitioner instead of the input partition (the C loop keeps the input partition).")
    var noopKeyPartitioned = false

    @Flag(help: "No-op stage: the C loop also forwards each record's timestamp and headers, as the stage does (rd_kafka_produceva; default: rd_kafka_produce with the producer's time and no headers).")
    var noopReferencePreservesRecords = false

    @Option(help: "Events for the chain measurement.")
    var chainEvents: Int = 50_000

    @Option(help: "Seconds a chain run may take before it counts as stalled.")
    var chainTimeout: Int = 600

    @Option(help: "Partitions of the events, features and predictions topics in the chain runs.")
    var partitions: Int = 16

    @Option(help: "Paced rate for the latency measurement, events per second.")
    var latencyRate: Int = 10_000

    @Option(help: "Seconds of paced feeding for the latency measurement.")
    var latencySeconds: Double = 10

    @Option(help: ArgumentHelp(
        "Partitions of the events, features and predictions topics in the latency runs (default: the topology's events partitions).",
        discussion: "`--latency-partitions 16` measures at the chain runs' width (the figure reported before this option)."))
    var latencyPartitions: Int?

    @Option(help: "linger.ms of the feeder and the stages' producers in the latency runs (librdkafka takes fractions, e.g. 0.5).")
    var latencyLingerMs: Double = 1

    @Option(help: ArgumentHelp(
        "fetch.wait.max.ms of the stages' consumers in the latency runs.",
        discussion: "The embedded broker holds a fetch that finds nothing for its whole wait, even when records arrive meanwhile (a Kafka broker answers when data arrives), so on it the wait is each hop's latency floor: 2 ms is a topology tuned for latency (`kafka: {fetch.wait.max.ms: 2, linger.ms: 1}`); `--latency-fetch-wait-ms 5` measures as before this default."))
    var latencyFetchWaitMs: Int = 2

    @Option(help: ArgumentHelp(
        "fetch.wait.max.ms of the reader (the predictions' consumer that measures) in the latency runs.",
        discussion: "The reader is the instrument, not a stage: the embedded broker holds a fetch that finds nothing for its whole wait (a Kafka broker answers when data arrives), so a reader waiting as long as the stages would add up to that wait to every prediction's time. 1 ms keeps that under a millisecond; `--latency-reader-fetch-wait-ms 5` measures as before this option."))
    var latencyReaderFetchWaitMs: Int = 1

    @Option(help: ArgumentHelp(
        "A librdkafka setting for every client of the latency runs (stages, feeder, reader); repeatable.",
        discussion: "Each key reaches the clients it is for (consumer- or producer-only keys only those). E.g. --latency-property socket.nagle.disable=true",
        valueName: "key=value"))
    var latencyProperty: [String] = []

    @Option(help: ArgumentHelp(
        "How far ahead of an event's due time the latency runs' feeder may send it, in microseconds.",
        discussion: "200 paces each event (the figure reported before this option)."))
    var latencyFeedTickMicroseconds: Int = 1000

    @Option(help: "Brokers of the embedded cluster in the latency runs (partitions spread over them).")
    var latencyBrokers: Int = 1

    @Option(help: "Events fed to the stage processes whose RSS is measured.")
    var rssEvents: Int = 100_000

    @Option(help: "Milliseconds between VmRSS samples of the stage processes.")
    var rssSampleMs: Int = 50

    @Option(help: ArgumentHelp(
        "Share of its input a stage has worked through when its steady RSS window opens (0–1).",
        discussion: "Steady: the highest sample from then through the idle seconds after the backlog. 0.25 leaves out the backlog's first quarter (first fetches, a full prefetch queue, the state's first growth).",
        valueName: "share"))
    var rssSteadyFrom: Double = 0.25

    @Option(help: ArgumentHelp(
        "Run the measured stage processes from this driftline binary instead of this one (A/B of builds under the same measurement).",
        valueName: "path"))
    var rssStageBinary: String?

    @Flag(help: "Print every RSS sample (time, each stage's MB and records worked through) on stderr.")
    var rssTimeline = false

    @Option(help: ArgumentHelp(
        "For the RSS measurement: add queued.max.messages.kbytes=N to the topology's kafka settings.",
        discussion: "librdkafka prefetches up to 64 MB per consumer by default; a stage's steady memory is mostly that.",
        valueName: "kbytes"))
    var rssQueuedKilobytes: Int?

    @Option(name: .customLong("repeat"), help: "Runs per measurement; medians are reported.")
    var runs: Int = 3

    @Option(help: "Comma-separated parts to run: noop, chain, latency, rss.")
    var parts: String = "noop,chain,latency,rss"

    func validate() throws {
        guard (0...1).contains(rssSteadyFrom) else { throw ValidationError("--rss-steady-from is a share from 0 to 1") }
        guard rssSampleMs > 0 else { throw ValidationError("--rss-sample-ms must be positive") }
        guard latencyFeedTickMicroseconds >= 0 else { throw ValidationError("--latency-feed-tick-microseconds must not be negative") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-bench") { try self.execute() }
    }

    func execute() throws {
        let loaded = try Topology.load(contentsOf: URL(fileURLWithPath: topology), displayName: topology)
        let selected = Set(parts.split(separator: ",").map { String($0) })
        #if DEBUG
        StandardError.line("warning: this is a debug build; build with `swift build -c release` for real figures")
        #endif
        let cpuStart = Self.cpuSeconds()
        let load = Self.loadAverage()
        var report: [String] = ["bench pipeline (embedded broker, librdkafka \(Librdkafka.version)), medians of \(runs) runs"]
        report.append("load average at start: \(load)")

        if selected.contains("noop") {
            var stages: [NoopFigure] = [], loops: [NoopFigure] = [], ratios: [Double] = []
            for run in 1...runs {
                let (s, r) = try measureNoop(run: run)
                stages.append(s)
                loops.append(r)
                ratios.append(s.rate / r.rate)
                StandardError.line("noop run \(run): stage \(s), C loop \(r), ratio \(Self.fixed(s.rate / r.rate, 2))")
            }
            let s = NoopFigure.median(stages), r = NoopFigure.median(loops)
            report.append("no-op stage consume→produce: \(Int(s.rate)) records/s; C consume→produce loop: \(Int(r.rate)) records/s; median of the per-run ratios \(Self.fixed(Self.median(ratios), 2)) (bar ≥ 0.70)\(noopReferencePreservesRecords ? "; the C loop forwards timestamps and headers too" : "")")
            report.append("  CPU per record (medians): runner's thread \(Self.fixed(s.threadMicroseconds, 3)) µs, C loop's thread \(Self.fixed(r.threadMicroseconds, 3)) µs; whole process (clients, broker) \(Self.fixed(s.processMicroseconds, 3)) and \(Self.fixed(r.processMicroseconds, 3)) µs")
        }
        if selected.contains("chain") {
            var rates: [Double] = []
            for run in 1...runs {
                let rate = try measureChain(loaded)
                rates.append(rate)
                StandardError.line("chain run \(run): \(Int(rate)) events/s")
            }
            report.append("whole chain (transform→learn→detect, \(partitions) partitions, \(chainEvents) events): \(Int(Self.median(rates))) events/s (bar ≥ 150,000)")
        }
        if selected.contains("latency") {
            var p50s: [Double] = [], p99s: [Double] = []
            for run in 1...runs {
                let (p50, p99, count) = try measureLatency(loaded)
                p50s.append(p50)
                p99s.append(p99)
                StandardError.line("latency run \(run): p50 \(Self.fixed(p50, 1)) ms, p99 \(Self.fixed(p99, 1)) ms over \(count) predictions")
            }
            report.append("event→prediction latency at \(latencyRate) events/s, \(latencyWidth(loaded)) partitions, \(Self.fixed(latencySeconds, 0)) s measured: p50 \(Self.fixed(Self.median(p50s), 1)) ms, p99 \(Self.fixed(Self.median(p99s), 1)) ms (bar p99 ≤ 20 ms; \(latencySettings); after a warm-up)")
        }
        if selected.contains("rss") {
            var peaks: [String: [Double]] = [:], steadies: [String: [Double]] = [:]
            var stages: [String] = []
            for run in 1...runs {
                let series = try measureRSS(loaded)
                stages = series.map(\.stage)
                var line: [String] = []
                for (stage, samples) in series {
                    let peak = Double(samples.peakKilobytes) / 1024
                    let steady = samples.steadyKilobytes(fromShare: rssSteadyFrom, of: Int64(rssEvents)).map { Double($0) / 1024 }
                    peaks[stage, default: []].append(peak)
                    steadies[stage, default: []].append(steady ?? .nan)
                    line.append("\(stage) \(Self.fixed(peak, 1)) / \(steady.map { Self.fixed($0, 1) } ?? "-") (idle after \(Self.fixed(Double(samples.lastKilobytes) / 1024, 1)))")
                }
                StandardError.line("rss run \(run), MB peak / steady: " + line.joined(separator: ", "))
            }
            let settings = rssQueuedKilobytes.map { "queued.max.messages.kbytes=\($0)" } ?? "the stage client defaults"
            report.append("RSS per stage process, MB, peak / steady (VmRSS every \(rssSampleMs) ms through \(rssEvents) pre-loaded events and 3 s after; steady: the highest sample once the stage had worked through \(Self.fixed(rssSteadyFrom * 100, 0))% of its input, the idle seconds included; \(settings)): "
                + stages.map { "\($0) \(Self.fixed(Self.median(peaks[$0]!), 1)) / \(Self.fixed(Self.median(steadies[$0]!), 1))" }.joined(separator: ", ")
                + " (bar: steady ≤ 64 MB)")
        }
        report.append("load average at end: \(Self.loadAverage()); CPU time of this process and children: \(Self.fixed(Self.cpuSeconds() - cpuStart, 1)) s")
        print(report.joined(separator: "\n"))
    }

    // MARK: - No-op stage against the C loop

    /// Each loop reads the same records from its own fresh broker, one after the other, in
    /// alternating order: the mock broker keeps every record in memory, and a loop running
    /// second on a shared broker measured paying for the first one's (fresh pages zeroed in the
    /// broker's thread, which shares the two cores).
    private func measureNoop(run: Int) throws -> (stage: NoopFigure, c: NoopFigure) {
        if run % 2 == 1 {
            let c = try withNoopBroker(measureCLoop)
            return (try withNoopBroker(measureNoopStage), c)
        }
        let stage = try withNoopBroker(measureNoopStage)
        return (stage, try withNoopBroker(measureCLoop))
    }

    private var noopPartitions: Int { max(4, noopRecords * (200 + 80) / (4 << 20) + 1) }

    /// A fresh broker with `noopRecords` 200-byte records in `noop.in`, for `body`.
    private func withNoopBroker(_ body: (EmbeddedBroker) throws -> NoopFigure) throws -> NoopFigure {
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        let partitionCount = noopPartitions
        for topic in ["noop.in", "noop.out", "noop.dlq"] {
            try broker.createTopic(topic, partitions: partitionCount)
        }
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.lingerMilliseconds = 5
        let producer = try KafkaProducer(configuration: producerConfiguration)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: 200)
        for index in 0..<noopRecords {
            try producer.enqueue(topic: "noop.in", key: Array(String(index).utf8), value: payload, partition: Int32(index % partitionCount), deliveryTag: 0)
        }
        try producer.flush(timeout: .seconds(120))
        producer.close()
        return try body(broker)
    }

    /// The client settings both loops use.
    private func noopClients(_ broker: EmbeddedBroker) -> (KafkaConsumerConfiguration, KafkaProducerConfiguration) {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-noop")
        consumer.sessionTimeoutMilliseconds = 6000
        consumer.heartbeatIntervalMilliseconds = 500
        var producer = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producer.lingerMilliseconds = 5
        return (consumer, producer)
    }

    /// The C reference: the same client settings as the runner's.
    private func measureCLoop(_ broker: EmbeddedBroker) throws -> NoopFigure {
        let (consumer, producer) = noopClients(broker)
        var result = dl_reference_result()
        // What the runner makes of the same settings (its bounded-buffer defaults included).
        let runner = StageRunnerConfiguration(
            stage: "noop", inputTopics: ["noop.in"], topics: StageTopics(defaultsFor: "noop"),
            consumer: consumer, producer: producer)
        var consumerProperties = runner.runnerConsumer.librdkafkaProperties
        // The C loop has no fetch waker: before librdkafka 2.3 it keeps the prefetch bound
        // that needs none (docs/operations.md, "Stage client defaults").
        if StageRunnerConfiguration.wakesFetchers {
            consumerProperties["queued.max.messages.kbytes"] =
                StageRunnerConfiguration.stageConsumerProperties["queued.max.messages.kbytes"]
        }
        let producerProperties = runner.runnerProducer.librdkafkaProperties
        let status = Self.withCProperties(consumerProperties) { ck, cv, cn in
            Self.withCProperties(producerProperties) { pk, pv, pn in
                dl_reference_pipe(
                    ck, cv, cn, pk, pv, pn, "noop.in", "noop.out", Int64(noopRecords), 30_000,
                    noopReferencePreservesRecords ? 1 : 0, &result)
            }
        }
        guard status == 0 else {
            let error = withUnsafeBytes(of: &result.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw CommandFailure("C pipe loop failed: \(error)")
        }
        return NoopFigure(
            records: Int(result.messages), seconds: result.seconds, threadCPUSeconds: result.thread_cpu_seconds,
            processCPUSeconds: result.process_cpu_seconds)
    }

    private func measureNoopStage(_ broker: EmbeddedBroker) throws -> NoopFigure {
        let (consumer, producer) = noopClients(broker)
        var configuration = StageRunnerConfiguration(
            stage: "noop", inputTopics: ["noop.in"],
            topics: StageTopics(events: "noop.in", features: "noop.out", predictions: "noop.out",
                                models: "noop.out", alerts: "noop.out", deadLetters: "noop.dlq"),
            consumer: consumer, producer: producer)
        configuration.lagRefreshInterval = .seconds(3600)
        let keepsPartition = !noopKeyPartitioned
        let runner = StageRunner(configuration: configuration) { _ in NoOpStage(keepsPartition: keepsPartition) }
        return try Self.timeRunner(runner, until: noopRecords)
    }

    /// Runs `runner` on its own thread until `count` outputs are delivered; the rate counts
    /// from the first statistics snapshot that shows input to the one that shows all delivered,
    /// and so does the CPU time of the runner's thread and of the process.
    private static func timeRunner(_ runner: StageRunner, until count: Int) throws -> NoopFigure {
        let done = DetachedThread(name: "bench-runner") {
            let semaphore = DispatchSemaphore(value: 0)
            let failure = Mutex<String?>(nil)
            Task {
                do { try await runner.run() } catch { failure.withLock { $0 = String(describing: error) } }
                semaphore.signal()
            }
            semaphore.wait()
            if let message = failure.withLock({ $0 }) { throw CommandFailure(message) }
        }
        let threadName = StageRunner.threadName(stage: runner.configuration.stage)
        var start: (ContinuousClock.Instant, Int, thread: Double, process: Double)?
        var end: (ContinuousClock.Instant, thread: Double, process: Double)?
        /// When the snapshots first showed every input read (the rest is waiting for deliveries).
        var allRead: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let statistics = runner.statistics
            if statistics.stopped { break }
            if start == nil, statistics.recordsIn > 0 {
                start = (.now, statistics.recordsIn, ThreadCPUTime.seconds(ofThreadNamed: threadName) ?? .nan, ThreadCPUTime.processSeconds())
            }
            if allRead == nil, statistics.recordsIn >= count { allRead = .now }
            if statistics.delivered >= count {
                end = (.now, ThreadCPUTime.seconds(ofThreadNamed: threadName) ?? .nan, ThreadCPUTime.processSeconds())
                break
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        let statistics = runner.statistics
        let tail = allRead.flatMap { read in end.map { read.duration(to: $0.0) } }
        StandardError.line("  stage: \(statistics.pauses) backpressure pauses, \(statistics.commits) commits, \(statistics.rebalances) rebalances; last input to last delivery seen: \(tail.map { "\(Self.fixed($0.seconds * 1000, 1)) ms" } ?? "?")")
        runner.shutdown()
        while runner.statistics.stopped == false && done.error == nil { Thread.sleep(forTimeInterval: 0.05) }
        guard let start, let end else { throw CommandFailure("the no-op stage did not finish: \(runner.statistics.failure ?? "timeout")") }
        return NoopFigure(
            records: count - start.1, seconds: start.0.duration(to: end.0).seconds,
            threadCPUSeconds: end.thread - start.thread, processCPUSeconds: end.process - start.process)
    }

    // MARK: - Chain

    /// The topology with its chain topics widened to `partitions`, on `servers`.
    private func chainTopology(_ topology: Topology, partitions: Int? = nil) -> Topology {
        var copy = topology
        let partitions = partitions ?? self.partitions
        copy.topics.events.partitions = partitions
        copy.topics.features.partitions = partitions
        copy.topics.predictions.partitions = partitions
        return copy
    }

    private func startChain(
        _ topology: Topology, broker: EmbeddedBroker, linger: Double? = nil, fetchWait: Int = 5,
        extra: [String: String] = [:]
    ) throws -> [StageRunner] {
        try? broker.createTopics(topology.topicsToCreate)
        var runners: [StageRunner] = []
        for stage in BuiltInStage.allCases {
            guard let factory = try? BuiltInStages.factory(for: stage, topology: topology) else { continue }
            var configuration = BuiltInStages.runnerConfiguration(for: stage, topology: topology, bootstrapServers: broker.bootstrapServers)
            configuration.consumer.sessionTimeoutMilliseconds = 6000
            configuration.consumer.heartbeatIntervalMilliseconds = 500
            if let linger {
                configuration.producer.properties["linger.ms"] = Self.decimal(linger)
                configuration.consumer.properties["fetch.wait.max.ms"] = String(fetchWait)
            }
            configuration.producer.properties.merge(KafkaPropertyScope.producerSettings(extra)) { _, new in new }
            configuration.consumer.properties.merge(KafkaPropertyScope.consumerSettings(extra)) { _, new in new }
            runners.append(StageRunner(configuration: configuration, factory: factory))
        }
        for runner in runners {
            Task { try? await runner.run() }
        }
        return runners
    }

    private func stop(_ runners: [StageRunner]) {
        for runner in runners { runner.shutdown() }
        let deadline = ContinuousClock.now + .seconds(60)
        while runners.contains(where: { !$0.statistics.stopped }) && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Events per second through the chain, pre-loaded: consumers wait at most 5 ms on an
    /// empty fetch, as in the latency measurement (see below).
    private func measureChain(_ base: Topology) throws -> Double {
        let topology = chainTopology(base)
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        try broker.createTopics(topology.topicsToCreate)
        let feeder = try EventFeeder(source: .generated(events: chainEvents, driftAt: [chainEvents / 2], seed: 42),
                                     topology: topology, bootstrapServers: broker.bootstrapServers)
        try feeder.run()
        feeder.close()
        try requireEventsKept(topology, broker: broker)
        // linger.ms 5 (the quickstart's own) and fetch.wait.max.ms 5: the embedded broker answers
        // a fetch on an empty partition only after the whole wait (500 ms by default) even when
        // records arrive meanwhile, which put 0.5 s of start-up per hop into the figure.
        let runners = try startChain(topology, broker: broker, linger: 5)
        defer { stop(runners) }
        var start: (ContinuousClock.Instant, Int)?
        var finished: [Double?] = runners.map { _ in nil }
        var started: [Double?] = runners.map { _ in nil }
        let deadline = ContinuousClock.now + .seconds(chainTimeout)
        while ContinuousClock.now < deadline {
            let transform = runners[0].statistics
            if start == nil, transform.recordsIn > 0 { start = (.now, transform.recordsIn) }
            if let failed = runners.first(where: { $0.statistics.failure != nil }) {
                throw CommandFailure("stage failed: \(failed.statistics.failure!)")
            }
            if let start {
                for (index, runner) in runners.enumerated() {
                    let recordsIn = runner.statistics.recordsIn
                    if started[index] == nil && recordsIn > 0 { started[index] = start.0.duration(to: .now).seconds }
                    if finished[index] == nil && recordsIn >= chainEvents { finished[index] = start.0.duration(to: .now).seconds }
                }
            }
            if runners.last!.statistics.recordsIn >= chainEvents, let start {
                StandardError.line("  each stage's first and last record after (s): " + runners.indices.map {
                    "\(runners[$0].configuration.stage) \(Self.fixed(started[$0] ?? .nan, 2))–\(Self.fixed(finished[$0] ?? .nan, 2))"
                }.joined(separator: ", "))
                return Double(chainEvents - start.1) / start.0.duration(to: .now).seconds
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
        throw CommandFailure("the chain did not finish: detect read \(runners.last!.statistics.recordsIn) of \(chainEvents)\n"
            + runners.map { Self.describe($0.statistics) }.joined(separator: "\n"))
    }

    /// The chain is pre-loaded, and the embedded broker (librdkafka's mock) keeps only ~5 MiB per
    /// partition, dropping the oldest batches silently: past ~8,000 events per partition the
    /// transform starts at a later "beginning" ("offset reset ... Offset out of range"), no stage
    /// ever sees `chainEvents` records, and the run used to wait out its whole timeout with every
    /// stage idle. Fails at once instead, saying what to change.
    private func requireEventsKept(_ topology: Topology, broker: EmbeddedBroker) throws {
        let consumer = try KafkaConsumer(configuration: KafkaConsumerConfiguration(
            bootstrapServers: broker.bootstrapServers, groupID: "bench-watermarks"))
        defer { try? consumer.close() }
        var dropped: Int64 = 0
        for partition in 0..<Int32(partitions) {
            let marks = try consumer.watermarks(KafkaTopicPartition(topic: topology.topics.events.name, partition: partition))
            dropped += marks.low
        }
        guard dropped > 0 else { return }
        throw CommandFailure(
            "the embedded broker dropped \(dropped) of the \(chainEvents) pre-loaded events (it keeps ~5 MiB per partition): "
                + "use more --partitions or fewer --chain-events")
    }

    /// A stage's counters and partitions, for a chain that did not finish.
    private static func describe(_ s: StageStatistics) -> String {
        "  \(s.stage): in \(s.recordsIn), out \(s.recordsOut), delivered \(s.delivered), failures \(s.deliveryFailures), "
            + "in flight \(s.inFlight), paused \(s.isPaused) (\(s.pauses)×), rebalances \(s.rebalances), "
            + "commits \(s.commits)/\(s.commitFailures) failed; partitions (next/committed/lag): "
            + s.partitions.map { "\($0.topicPartition.partition):\($0.nextOffset.map(String.init) ?? "-")/\($0.committedOffset.map(String.init) ?? "-")/\($0.lag.map(String.init) ?? "-")" }
                .joined(separator: " ")
    }

    // MARK: - Latency

    /// The latency runs' width: the topology's own unless `--latency-partitions` says otherwise.
    /// It is the topology's latency that is asked for; at 16 partitions a partition gets ~0.6
    /// events per millisecond, so with linger.ms=1 nearly every event is its own batch, in the
    /// broker and in each stage's fetches.
    private func latencyWidth(_ base: Topology) -> Int {
        latencyPartitions ?? base.topics.events.partitions ?? partitions
    }

    /// `--latency-property` as a dictionary.
    private func latencyProperties() throws -> [String: String] {
        var properties: [String: String] = [:]
        for setting in latencyProperty {
            guard let equals = setting.firstIndex(of: "=") else { throw CommandFailure("--latency-property needs key=value: \(setting)") }
            properties[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        return properties
    }

    /// The client settings of the latency runs, as the report prints them.
    private var latencySettings: String {
        var parts = ["linger.ms=\(Self.decimal(latencyLingerMs))", "fetch.wait.max.ms=\(latencyFetchWaitMs)"]
        parts.append("reader fetch.wait.max.ms=\(latencyReaderFetchWaitMs)")
        parts.append("feeder tick \(latencyFeedTickMicroseconds) µs")
        parts += latencyProperty
        if latencyBrokers != 1 { parts.append("\(latencyBrokers) brokers") }
        return parts.joined(separator: ", ")
    }

    private func measureLatency(_ base: Topology) throws -> (p50: Double, p99: Double, count: Int) {
        let partitions = latencyWidth(base)
        let topology = chainTopology(base, partitions: partitions)
        let broker = try EmbeddedBroker(brokers: latencyBrokers)
        defer { broker.shutdown() }
        let extra = try latencyProperties()
        let runners = try startChain(topology, broker: broker, linger: latencyLingerMs, fetchWait: latencyFetchWaitMs, extra: extra)
        defer { stop(runners) }
        // Wait for every stage to own its partitions.
        let joined = ContinuousClock.now + .seconds(60)
        while runners.contains(where: { $0.statistics.partitions.isEmpty }) && ContinuousClock.now < joined {
            Thread.sleep(forTimeInterval: 0.05)
        }
        // The reader: assigned to the end of the predictions topic. It counts every prediction
        // and keeps the latency of those whose event was produced from `measureFrom` on.
        var readerConfiguration = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-latency")
        readerConfiguration.properties["fetch.wait.max.ms"] = String(latencyReaderFetchWaitMs)
        readerConfiguration.queuedMinMessages = 10_000
        readerConfiguration.properties.merge(KafkaPropertyScope.consumerSettings(extra)) { _, new in new }
        let reader = try KafkaConsumer(configuration: readerConfiguration)
        defer { try? reader.close() }
        let predictionPartitions = (0..<Int32(partitions)).map {
            KafkaTopicPartition(topic: topology.topics.predictions.name, partition: $0)
        }
        // At the ends as concrete offsets: assigned at `.end`, librdkafka reports no position
        // before the first record, and waiting for one held every run 30 s.
        try reader.assignAtEnd(predictionPartitions)
        let latencies = Mutex<[(sent: Int64, latency: Double)]>([])
        let arrived = Atomic<Int>(0)
        let measureFrom = Atomic<Int64>(.max)
        let stopReading = Atomic<Bool>(false)
        let readerThread = DetachedThread(name: "bench-latency-reader") {
            while !stopReading.load(ordering: .acquiring) {
                let records = try reader.poll(maxRecords: 10_000, timeout: .milliseconds(50))
                let now = Date().timeIntervalSince1970 * 1000
                let from = measureFrom.load(ordering: .acquiring)
                let values = records.compactMap { record in
                    record.timestampMilliseconds.flatMap { $0 >= from ? (sent: $0, latency: now - Double($0)) : nil }
                }
                arrived.add(records.count, ordering: .releasing)
                latencies.withLock { $0 += values }
            }
        }
        // Paced feed: the record timestamp is its produce time (librdkafka's create time).
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.properties["linger.ms"] = Self.decimal(latencyLingerMs)
        producerConfiguration.properties.merge(KafkaPropertyScope.producerSettings(extra)) { _, new in new }
        let producer = try KafkaProducer(configuration: producerConfiguration)
        defer { producer.close() }
        var stream = SyntheticStream(configuration: .init(), seed: 7)
        var fed = 0
        // The feeder stands in for producers elsewhere: it makes its events before the paced
        // loop, and wakes once per millisecond (a record's timestamp has millisecond resolution
        // and the producer lingers anyway), so it takes as little as it can of the cores the
        // chain runs on.
        func feed(seconds: Double) throws {
            let count = Int(Double(latencyRate) * seconds)
            let events = (0..<count).map { index in
                (key: Array(String(fed + index).utf8), value: Array(stream.next().jsonLine(labelField: "y", idField: "id").utf8))
            }
            let start = ContinuousClock.now
            for (index, event) in events.enumerated() {
                let due = start + .nanoseconds(Int64(Double(index) / Double(latencyRate) * 1e9))
                let wait = ContinuousClock.now.duration(to: due)
                if wait > .microseconds(latencyFeedTickMicroseconds) { Thread.sleep(forTimeInterval: wait.seconds) }
                try producer.enqueue(topic: topology.topics.events.name, key: event.key, value: event.value, deliveryTag: 0)
                fed += 1
            }
        }
        // Warm-up, not measured: paced events until every one of them came out as a prediction
        // (every task of every stage has processed and produced, the learner has published)
        // and the detect stage reads too.
        let warm = ContinuousClock.now + .seconds(60)
        repeat {
            try feed(seconds: 1)
            let settle = ContinuousClock.now + .seconds(5)
            while arrived.load(ordering: .acquiring) < fed && ContinuousClock.now < settle {
                Thread.sleep(forTimeInterval: 0.01)
            }
        } while (arrived.load(ordering: .acquiring) < fed || runners.last!.statistics.recordsIn == 0) && ContinuousClock.now < warm
        guard arrived.load(ordering: .acquiring) >= fed else { throw CommandFailure("the chain did not warm up: \(arrived.load(ordering: .acquiring)) of \(fed) predictions") }
        // Measured: the events produced from now on.
        measureFrom.store(Int64((Date().timeIntervalSince1970 * 1000).rounded(.up)), ordering: .releasing)
        let total = Int(Double(latencyRate) * latencySeconds)
        let sampling = Atomic<Bool>(true)
        let runnable = Mutex<[(time: Int64, count: Int)]>([])
        let sampler = DetachedThread(name: "bench-latency-load") {
            while sampling.load(ordering: .acquiring) {
                let time = Int64(Date().timeIntervalSince1970 * 1000)
                if let count = Self.runnableThreads() { runnable.withLock { $0.append((time, count)) } }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        try feed(seconds: latencySeconds)
        sampling.store(false, ordering: .releasing)
        _ = sampler
        try producer.flush(timeout: .seconds(30))
        let settle = ContinuousClock.now + .seconds(15)
        while arrived.load(ordering: .acquiring) < fed && ContinuousClock.now < settle {
            Thread.sleep(forTimeInterval: 0.1)
        }
        stopReading.store(true, ordering: .releasing)
        _ = readerThread
        Thread.sleep(forTimeInterval: 0.2)
        let measured = latencies.withLock { $0 }
        let sample = measured.map(\.latency).sorted()
        let stages = runners.map { runner in
            let s = runner.statistics
            return "\(s.stage) in \(s.recordsIn) out \(s.recordsOut) commits \(s.commits) rebalances \(s.rebalances)"
        }.joined(separator: "; ")
        StandardError.line("  \(arrived.load(ordering: .acquiring)) of \(fed) events came out; \(stages)")
        guard sample.count >= total * 9 / 10 else {
            throw CommandFailure("only \(sample.count) of \(total) measured predictions arrived")
        }
        func quantile(_ q: Double) -> Double { sample[min(sample.count - 1, Int(Double(sample.count) * q))] }
        StandardError.line("  " + Self.describeStalls(measured, from: measureFrom.load(ordering: .acquiring), runnable: runnable.withLock { $0 }))
        return (quantile(0.5), quantile(0.99), sample.count)
    }

    // MARK: - RSS of stage processes

    /// Each stage's VmRSS samples, with how far it had got: the transform by the features it
    /// wrote, the learner by its predictions (one each per input record), the detect stage —
    /// which writes no record per input — by the predictions it could have read, an upper
    /// bound, so its steady window opens no later than it should.
    private func measureRSS(_ base: Topology) throws -> [(stage: String, samples: ResidentMemorySeries)] {
        let topology = chainTopology(base)
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        try broker.createTopics(topology.topicsToCreate)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var yaml = try String(contentsOfFile: self.topology, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "brokers: embedded", with: "brokers: \"\(broker.bootstrapServers)\"")
        for role in ["events", "features", "predictions"] {
            yaml = yaml.replacingOccurrences(
                of: #"(?m)^(\s+\#(role): \{name: [^,]+, partitions: )\d+"#, with: "$1\(partitions)", options: .regularExpression)
        }
        yaml = yaml.replacingOccurrences(of: "(?m)^metrics:\\n  port: \\d+\\n?", with: "", options: .regularExpression)
        if let kilobytes = rssQueuedKilobytes {
            yaml = yaml.replacingOccurrences(of: "\nkafka:\n", with: "\nkafka:\n  queued.max.messages.kbytes: \(kilobytes)\n")
        }
        let file = directory.appendingPathComponent("topology.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let binary = rssStageBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).path
        var processes: [(String, Process)] = []
        for stage in ["transform", "learn", "detect"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary.hasPrefix("/") ? binary : FileManager.default.currentDirectoryPath + "/" + binary)
            process.arguments = ["stage", stage, "--topology", file.path, "--session-timeout-ms", "6000", "--stats-interval", "0"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            processes.append((stage, process))
        }
        defer { for (_, process) in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let feeder = try EventFeeder(source: .generated(events: rssEvents, driftAt: [rssEvents / 2], seed: 42),
                                     topology: topology, bootstrapServers: broker.bootstrapServers)
        try feeder.run()
        feeder.close()
        // Sample while the stages work through the feed and for a few seconds after.
        var series = processes.map { (stage: $0.0, samples: ResidentMemorySeries()) }
        let watcher = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-rss"))
        defer { try? watcher.close() }
        func records(in topic: String) -> Int64 {
            var total: Int64 = 0
            for partition in 0..<Int32(partitions) {
                let marks = try? watcher.watermarks(KafkaTopicPartition(topic: topic, partition: partition), timeout: .seconds(2))
                total += marks.map { $0.high - $0.low } ?? 0
            }
            return total
        }
        let start = ContinuousClock.now
        let deadline = start + .seconds(300)
        var doneAt: ContinuousClock.Instant?
        var features: Int64 = 0, predictions: Int64 = 0
        while ContinuousClock.now < deadline {
            if doneAt == nil {
                features = records(in: topology.topics.features.name)
                predictions = records(in: topology.topics.predictions.name)
            }
            var line = "  \(Self.fixed(start.duration(to: .now).seconds, 2)) s:"
            for (index, (stage, process)) in processes.enumerated() {
                let kilobytes = Self.residentKilobytes(pid: process.processIdentifier)
                let processed = stage == "transform" ? features : predictions
                series[index].samples.append(processed: processed, kilobytes: kilobytes)
                line += " \(stage) \(Self.fixed(Double(kilobytes) / 1024, 1)) MB (\(processed))"
            }
            if rssTimeline { StandardError.line(line) }
            if doneAt == nil {
                if predictions >= Int64(rssEvents) { doneAt = .now }
            } else if doneAt!.duration(to: .now) > .seconds(3) {
                break
            }
            Thread.sleep(forTimeInterval: Double(rssSampleMs) / 1000)
        }
        for (_, process) in processes { process.terminate() }
        for (_, process) in processes { process.waitUntilExit() }
        return series
    }

    // MARK: - Helpers

    static func residentKilobytes(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// Where the slow predictions came from, by 100-ms window of their events' produce time:
    /// at 10,000 events/s the p99 is the slowest 1,000 events, i.e. any 100 ms of stall. Prints
    /// how many were over 20 ms and in how many windows, and the five slowest windows with the
    /// machine's runnable threads then (`procs_running`, sampled every 50 ms; 2 cores here).
    static func describeStalls(_ measured: [(sent: Int64, latency: Double)], from: Int64, runnable: [(time: Int64, count: Int)]) -> String {
        guard !measured.isEmpty else { return "no predictions" }
        var worst: [Int64: Double] = [:]
        var over = 0
        var overWindows = Set<Int64>()
        for m in measured {
            let window = (m.sent - from) / 100
            worst[window] = max(worst[window] ?? 0, m.latency)
            if m.latency > 20 {
                over += 1
                overWindows.insert(window)
            }
        }
        let slowest = worst.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5)
        let windows = slowest.map { window, latency in
            let start = from + window * 100
            let counts = runnable.filter { $0.time >= start - 100 && $0.time < start + 200 }.map(\.count)
            return "\(fixed(Double(window) / 10, 1)) s: \(fixed(latency, 0)) ms (runnable \(counts.map(String.init).joined(separator: "/")))"
        }
        let meanRunnable = runnable.isEmpty ? Double.nan : Double(runnable.map(\.count).reduce(0, +)) / Double(runnable.count)
        return "\(over) of \(measured.count) over 20 ms, in \(overWindows.count) of \(worst.count) 100-ms windows; "
            + "mean runnable threads \(fixed(meanRunnable, 1)); slowest windows: " + windows.joined(separator: ", ")
    }

    /// Threads runnable on the machine now (`procs_running` of /proc/stat).
    static func runnableThreads() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("procs_running ") })
        else { return nil }
        return Int(line.dropFirst("procs_running ".count))
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuSeconds() -> Double {
        var total = 0.0
        for who in [RUSAGE_SELF, RUSAGE_CHILDREN] {
            var usage = rusage()
            getrusage(who.rawValue, &usage)
            total += Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        return total
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// A librdkafka decimal setting: "1" for 1, "0.5" for 0.5.
    static func decimal(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func withCProperties<R>(
        _ properties: [String: String],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>, Int32) -> R
    ) -> R {
        let keys = properties.keys.sorted()
        let cKeys = keys.map { UnsafePointer(strdup($0)) }
        let cValues = keys.map { UnsafePointer(strdup(properties[$0]!)) }
        defer { for pointer in cKeys + cValues { free(UnsafeMutablePointer(mutating: pointer)) } }
        return cKeys.withUnsafeBufferPointer { k in
            cValues.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!, Int32(keys.count)) }
        }
    }
}

/// One no-op loop's run: its rate and CPU per record.
struct NoopFigure: CustomStringConvertible {
    var records: Int
    var seconds: Double
    /// The loop's own thread (the runner's; the C loop's) and the whole process (clients'
    /// threads, the embedded broker, the bench's 2-ms statistics reads).
    var threadCPUSeconds: Double
    var processCPUSeconds: Double

    init(records: Int, seconds: Double, threadCPUSeconds: Double, processCPUSeconds: Double) {
        self.records = records
        self.seconds = seconds
        self.threadCPUSeconds = threadCPUSeconds
        self.processCPUSeconds = processCPUSeconds
    }

    var rate: Double { Double(records) / seconds }
    var threadMicroseconds: Double { threadCPUSeconds / Double(records) * 1e6 }
    var processMicroseconds: Double { processCPUSeconds / Double(records) * 1e6 }

    var description: String {
        "\(Int(rate))/s (thread \(BenchPipeline.fixed(threadMicroseconds, 3)) µs/record, busy \(BenchPipeline.fixed(threadCPUSeconds / seconds * 100, 0))%; "
            + "process \(BenchPipeline.fixed(processMicroseconds, 3)) µs/record, \(BenchPipeline.fixed(processCPUSeconds / seconds, 2)) cores)"
    }

    /// Each figure's median over `figures` (rate, thread and process CPU per record apart).
    static func median(_ figures: [NoopFigure]) -> (rate: Double, threadMicroseconds: Double, processMicroseconds: Double) {
        (BenchPipeline.median(figures.map(\.rate)), BenchPipeline.median(figures.map(\.threadMicroseconds)),
         BenchPipeline.median(figures.map(\.processMicroseconds)))
    }
}

/// The stage that does nothing: every record forwarded unchanged, to the partition it came
/// from (what the engine costs). The C loop writes each record to its input partition too:
/// left to the key partitioner, the outputs spread over every partition, and the producer's
/// batches per partition were ~1/60 as large as the C loop's runs of one partition (measured:
/// the producer's broker thread and the broker spent 2.3× and ~2× the CPU per record), a
/// difference of workload, not of engine.
struct NoOpStage: Stage {
    var keepsPartition = true

    mutating func process(_ record: StageRecord, context: StageContext) throws {
        guard keepsPartition else { return context.forward(record, to: .features) }
        var output = record
        output.partition = context.source?.partition
        context.forward(output, to: .features)
    }
}
