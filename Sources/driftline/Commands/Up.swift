import ArgumentParser
import Foundation
import Kafka
import Monitoring
import OnlineML
import Pipeline

/// `driftline up FILE`: the whole topology in one process — the embedded broker (unless
/// `--brokers` or the file names real ones), one ``StageRunner`` per stage on its own thread, a
/// feeder writing the input into the events topic, one metrics endpoint, and a live summary.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole topology in one process, on the embedded broker by default.",
        discussion: """
            Every stage of the topology runs as a consumer-group member in this process. With \
            `brokers: embedded` (and no --brokers) an in-memory Kafka-protocol broker is \
            hosted here, every topic is created with its partitions, and its address is \
            printed so `driftline subscribe --brokers ADDRESS` can watch from another terminal.

            --feed FILE (JSON lines or CSV) or --generate N (a drifting stream, as `driftline \
            generate` writes) is produced into the events topic. On a terminal the summary is \
            redrawn every second; otherwise a line is logged every --report-interval seconds.

            SIGINT/SIGTERM stop it gracefully (in-flight records finished, final model \
            published, offsets committed). --until-idle stops once every stage has processed \
            the whole feed; --duration after that many seconds. At the end a JSON summary goes \
            to stdout. Exit status 1 when a stage or the feed failed.

            Example:
              driftline up topologies/quickstart.yaml --generate 60000 --drift-at 30000 --until-idle
            """
    )

    @Argument(help: "The topology file (YAML).")
    var file: String

    @Option(help: ArgumentHelp("Produce this file's events (JSON lines, or CSV for .csv).", valueName: "path"))
    var feed: String?

    @Option(help: ArgumentHelp("Produce this many generated events.", valueName: "n"))
    var generate: Int?

    @Option(help: "With --generate: comma-separated positions where the concept changes.", transform: Generate.parsePositions)
    var driftAt: [Int] = []

    @Option(help: "With --generate: the generator's seed.")
    var seed: UInt64 = 42

    @Option(help: "Bootstrap servers (host:port,…); overrides the topology's `brokers`.")
    var brokers: String?

    @Option(help: ArgumentHelp("Feed at most this many events per second (default: as fast as the stages keep up).", valueName: "n"))
    var rate: Int?

    @Option(help: ArgumentHelp(
        "How many events the feed may run ahead of the learner, per events partition.",
        discussion: "The embedded broker keeps only ~5 MiB per partition and drops the oldest records silently, so the feed waits for the stages.",
        valueName: "n"))
    var maxAhead: Int = 2000

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Flag(help: "Stop once the feed is fully processed by every stage.")
    var untilIdle = false

    @Option(help: ArgumentHelp("With --until-idle: how long nothing may change before it stops.", valueName: "seconds"))
    var idleSeconds: Double = 3

    @Option(help: ArgumentHelp("Seconds between summary lines when stderr is not a terminal.", valueName: "seconds"))
    var reportInterval: Double = 5

    @OptionGroup var metrics: MetricsOptions

    func validate() throws {
        if feed != nil && generate != nil { throw ValidationError("give --feed or --generate, not both") }
        if let generate, generate < 0 { throw ValidationError("--generate must be ≥ 0") }
        if !driftAt.isEmpty && generate == nil { throw ValidationError("--drift-at needs --generate") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if idleSeconds <= 0 { throw ValidationError("--idle-seconds must be positive") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if maxAhead <= 0 { throw ValidationError("--max-ahead must be positive") }
    }

    func run() async throws {
        let topology: Topology
        do {
            topology = try Topology.load(contentsOf: URL(fileURLWithPath: file), displayName: file)
        } catch let errors as TopologyErrors {
            StandardError.line(errors.description)
            throw ExitCode(2)
        }
        let stages = BuiltInStage.allCases.filter { stage in
            (try? BuiltInStages.factory(for: stage, topology: topology)) != nil
        }
        guard !stages.isEmpty else { throw CommandFailure("the topology has no stage that can run") }

        // Broker.
        var embedded: EmbeddedBroker?
        let servers: String
        if let address = brokers ?? topology.brokers.bootstrapServers {
            servers = address
            try createTopics(topology, servers: servers)
        } else {
            let broker = try EmbeddedBroker()
            try broker.createTopics(topology.topicsToCreate)
            embedded = broker
            servers = broker.bootstrapServers
            StandardError.line("embedded broker at \(servers) (watch the alerts with: driftline subscribe --topology \(file) --brokers \(servers))")
        }
        defer { embedded?.shutdown() }

        // Metrics endpoint, one for every stage.
        let exposition = PrometheusExposition()
        let health = StageHealth(stage: "up")
        var server: MetricsServer?
        if let configuration = metrics.configuration(for: topology) {
            let started = MetricsServer(configuration: configuration, exposition: exposition, health: health)
            try started.start()
            server = started
            StandardError.line("metrics on \(started.baseURL ?? "?")/metrics and /health")
        }
        defer { server?.stop() }

        // Stages.
        var runners: [(BuiltInStage, StageRunner)] = []
        for stage in stages {
            var configuration = BuiltInStages.runnerConfiguration(for: stage, topology: topology, bootstrapServers: servers)
            configuration.consumer.sessionTimeoutMilliseconds = 6000
            configuration.consumer.heartbeatIntervalMilliseconds = 500
            configuration.lagRefreshInterval = .seconds(1)
            runners.append((stage, StageRunner(
                configuration: configuration, factory: try BuiltInStages.factory(for: stage, topology: topology))))
        }
        let runnerTasks = runners.map { (_, runner) in
            Task { () -> String? in
                do {
                    try await runner.run()
                    return nil
                } catch {
                    return String(describing: error)
                }
            }
        }
        let stopping = StopFlag()
        let signals = ShutdownSignals { signal in
            StandardError.line("signal \(signal): shutting down gracefully")
            stopping.set()
        }
        defer { signals.cancel() }

        // Watcher and feeder.
        let watcher = try PipelineWatcher(topology: topology, bootstrapServers: servers)
        try watcher.start()
        let watcherThread = DetachedThread(name: "driftline-up-watcher") { watcher.run() }
        var feeder: EventFeeder?
        var feederThread: DetachedThread?
        if let source = feedSource() {
            // The feed waits while it is more than `maxAhead` events per partition ahead of the
            // learner (or of the transform without one); dead letters never reach the learner.
            let window = maxAhead * (topology.topics.events.partitions ?? Topology.defaultPartitions)
            let progressRunners = runners.map(\.1)
            let reference = runners.firstIndex { $0.0 == .learn } ?? 0
            let mayContinue: @Sendable (Int) -> Bool = { fed in
                let statistics = progressRunners.map(\.statistics)
                let done = statistics[reference].recordsIn + statistics[..<reference].map(\.deadLettered).reduce(0, +)
                return fed - done < window || statistics.contains { $0.stopped }
            }
            let created = try EventFeeder(source: source, topology: topology, bootstrapServers: servers, rate: rate,
                                          mayContinue: mayContinue)
            feeder = created
            feederThread = DetachedThread(name: "driftline-up-feeder") { try created.run() }
        }

        // Watch until done.
        let start = ContinuousClock.now
        let display = LiveSummary(topology: topology, isTerminal: StandardError.isTerminal,
                                  reportInterval: reportInterval)
        var stageExporters = runners.map { (stage, _) in
            StageMetricsExporter(
                metrics: StageMetrics(stage: stage.rawValue, factory: exposition.factory), health: health,
                outputTopic: Self.outputTopic(of: stage, topology: topology))
        }
        var modelExporter = ModelMetricsExporter(factory: exposition.factory)
        var idle = IdleTracker(quiet: .milliseconds(Int64(idleSeconds * 1000)))
        var stopReason = "stopped"
        while true {
            try? await Task.sleep(for: .milliseconds(250))
            let statistics = runners.map { $0.1.statistics }
            let snapshot = watcher.snapshot
            for index in stageExporters.indices { stageExporters[index].export(statistics[index]) }
            modelExporter.export(snapshot)
            display.update(statistics: statistics, snapshot: snapshot, feeder: feeder, elapsed: start.duration(to: .now))
            if stopping.isSet { stopReason = "signal"; break }
            if let failed = statistics.first(where: { $0.failure != nil }) {
                stopReason = "stage \(failed.stage) failed"
                break
            }
            if let feederError = feederThread?.error {
                StandardError.line("feed failed: \(feederError)")
                stopReason = "feed failed"
                break
            }
            if let duration, start.duration(to: .now) >= .milliseconds(Int64(duration * 1000)) {
                stopReason = "duration"
                break
            }
            if untilIdle {
                let feedDone = feeder.map { $0.finished.load(ordering: .acquiring) } ?? true
                if idle.isIdle(feedDone: feedDone, statistics: statistics, snapshot: snapshot) {
                    stopReason = "idle"
                    break
                }
            }
        }

        // Shut down: stages finish what they hold, publish, commit.
        feeder?.stop()
        _ = await feederThread?.wait()
        feeder?.close()
        for (_, runner) in runners { runner.shutdown() }
        var failures: [String] = []
        for (index, task) in runnerTasks.enumerated() {
            if let failure = await task.value { failures.append("\(runners[index].0.rawValue): \(failure)") }
        }
        watcher.stop()
        _ = await watcherThread.wait()
        watcher.drain()
        watcher.countPredictionsExactly()
        watcher.close()
        let statistics = runners.map { $0.1.statistics }
        let snapshot = watcher.snapshot
        for index in stageExporters.indices { stageExporters[index].export(statistics[index]) }
        modelExporter.export(snapshot)
        display.finish(statistics: statistics, snapshot: snapshot, feeder: feeder, elapsed: start.duration(to: .now))

        let summary = UpSummary.json(
            topology: topology, brokers: embedded == nil ? servers : "embedded", stopReason: stopReason,
            seconds: start.duration(to: .now), feeder: feeder, stages: runners.map(\.0), statistics: statistics,
            snapshot: snapshot, failures: failures)
        print(CanonicalJSON.encode(summary))
        if !failures.isEmpty || stopReason == "feed failed" || (feeder?.failed ?? 0) > 0 {
            for failure in failures { StandardError.line("failed: \(failure)") }
            throw ExitCode.failure
        }
    }

    private func feedSource() -> EventFeeder.Source? {
        if let feed { return .file(path: feed, format: EventFileFormat.guess(fromPath: feed)) }
        if let generate { return .generated(events: generate, driftAt: driftAt, seed: seed) }
        return nil
    }

    /// Creates the topology's missing topics on a real cluster (existing ones are left alone).
    private func createTopics(_ topology: Topology, servers: String) throws {
        let admin = try KafkaAdmin(topology: topology, bootstrapServers: servers)
        do {
            _ = try admin.createMissingTopics(of: topology, timeout: .seconds(5))
        } catch {
            StandardError.line("warning: could not create the topics (\(error)); assuming they exist")
        }
    }

    static func outputTopic(of stage: BuiltInStage, topology: Topology) -> String {
        switch stage {
        case .transform: topology.topics.features.name
        case .learn: topology.topics.predictions.name
        case .detect: topology.topics.alerts.name
        }
    }
}
