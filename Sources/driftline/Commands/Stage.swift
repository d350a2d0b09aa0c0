import ArgumentParser
import Foundation
import Kafka
import Monitoring
import Pipeline

/// `driftline stage NAME --topology FILE`: one built-in stage as a long-lived member of a
/// consumer group. Scale out by starting more with the same group: Kafka shares the
/// partitions among them.
struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run one stage of a topology (transform, learn or detect) as a Kafka consumer.",
        discussion: """
            The stage joins the consumer group (default TOPOLOGY.STAGE), restores each assigned \
            partition's state (the learner and transformer from the model topic), processes \
            records until SIGTERM or SIGINT, then checkpoints, flushes and commits before it \
            exits. Records it cannot handle go to the dead-letter topic with the reason. Start \
            more processes with the same group to share the partitions. Logs go to stderr.

            A standalone stage needs a real broker address: `brokers: embedded` in the \
            topology is only valid with --brokers (e.g. the address `driftline broker` prints).
            """
    )

    @Argument(help: "The stage: transform, learn or detect.")
    var name: String

    @Option(help: "The topology file (YAML).")
    var topology: String

    @Option(help: "Bootstrap servers (host:port,…); overrides the topology's `brokers`.")
    var brokers: String?

    @Option(help: "Consumer group (default: TOPOLOGY.STAGE).")
    var group: String?

    @Option(name: .customLong("instance-id"), help: "A name for this instance: its client id and static group membership (group.instance.id).")
    var instanceID: String?

    @Option(name: .customLong("session-timeout-ms"), help: "Consumer group session timeout in milliseconds.")
    var sessionTimeoutMilliseconds: Int = 10_000

    @Option(name: .customLong("stats-interval"), help: "Seconds between statistics lines on stderr (0: none).")
    var statsInterval: Double = 10

    @OptionGroup var metrics: MetricsOptions

    func run() async throws {
        StageAllocator.configure()
        guard let stage = BuiltInStage(rawValue: name) else {
            log("unknown stage '\(name)'; the built-in stages are \(BuiltInStage.allCases.map(\.rawValue).joined(separator: ", "))")
            throw ExitCode(2)
        }
        let loaded: Topology
        do {
            loaded = try Topology.load(contentsOf: URL(fileURLWithPath: topology), displayName: topology)
        } catch let errors as TopologyErrors {
            log(errors.description)
            throw ExitCode(2)
        }
        guard let servers = brokers ?? loaded.brokers.bootstrapServers else {
            log("""
                the topology says `brokers: embedded`, which only `driftline up` and `driftline broker` \
                can host; a standalone stage needs --brokers HOST:PORT (for example the address \
                `driftline broker` prints)
                """)
            throw ExitCode(2)
        }
        let factory: StageFactory
        do {
            factory = try BuiltInStages.factory(for: stage, topology: loaded)
        } catch let error as BuiltInStageError {
            log(error.description)
            throw ExitCode(2)
        }
        var configuration = BuiltInStages.runnerConfiguration(
            for: stage, topology: loaded, bootstrapServers: servers, groupID: group)
        configuration.consumer.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        configuration.consumer.heartbeatIntervalMilliseconds = max(100, min(1000, sessionTimeoutMilliseconds / 10))
        if let instanceID {
            configuration.consumer.clientID = "driftline-\(stage.rawValue)-\(instanceID)"
            configuration.producer.clientID = "driftline-\(stage.rawValue)-\(instanceID)"
            configuration.consumer.properties["group.instance.id"] = instanceID
        }

        let runner = StageRunner(configuration: configuration, factory: factory)
        let signals = ShutdownSignals { signal in
            log("signal \(signal): shutting down gracefully")
            runner.shutdown()
        }
        defer { signals.cancel() }
        // Like Kafka Streams' internal topics: the detect stage creates its changelog if missing,
        // beside the runner (a broker without CreateTopics, like the embedded one, only times out).
        let changelogCreation = Task {
            guard stage == .detect, let changelog = DetectCheckpointRecord.newTopic(for: loaded) else { return }
            do {
                try await KafkaAdmin(topology: loaded, bootstrapServers: servers)
                    .createTopics([changelog], ifNotExists: true, timeout: .seconds(5))
            } catch {
                log("warning: could not create the changelog topic \(changelog.name) (\(error)); assuming it exists")
            }
        }
        defer { changelogCreation.cancel() }
        log("""
            stage \(stage.rawValue) of \(loaded.name): group \(configuration.consumer.groupID), \
            inputs \(configuration.inputTopics.joined(separator: ",")), brokers \(servers), \
            guarantee \(loaded.guarantee.rawValue)
            """)
        let reporter = Task {
            guard statsInterval > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(statsInterval))
                if Task.isCancelled { break }
                log(Self.describe(runner.statistics))
            }
        }
        defer { reporter.cancel() }
        let endpoint = try startMetrics(stage: stage, topology: loaded, runner: runner, servers: servers)
        defer { endpoint?.stop() }
        let restoreWatcher = Task {
            var reported: Duration?
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let statistics = runner.statistics
                if let restore = statistics.lastRestore, restore != reported {
                    reported = restore
                    log("""
                        restored \(statistics.lastRestorePartition.map(String.init(describing:)) ?? "-"): \
                        \(restore.formatted(.units(allowed: [.milliseconds]))) from assignment to first processed record \
                        (\(statistics.caughtUp) records re-processed to catch up)
                        """)
                }
            }
        }
        defer { restoreWatcher.cancel() }
        do {
            try await runner.run()
        } catch let fenced as StageFenced {
            log("stage \(stage.rawValue) stopped: \(fenced)")
            throw ExitCode(3)
        } catch {
            log("stage \(stage.rawValue) failed: \(error)")
            log(Self.describe(runner.statistics))
            throw ExitCode(1)
        }
        log("stopped: " + Self.describe(runner.statistics))
    }

    /// Serves /metrics and /health for this stage when the topology or a flag asks for it, and
    /// keeps the series up to date once a second: the runner's counters, and for the learner
    /// (detect stage) what its model (alert) topic says.
    private func startMetrics(stage: BuiltInStage, topology: Topology, runner: StageRunner, servers: String) throws -> MetricsEndpoint? {
        guard let configuration = metrics.configuration(for: topology) else { return nil }
        let exposition = PrometheusExposition()
        let health = StageHealth(stage: stage.rawValue)
        let server = MetricsServer(configuration: configuration, exposition: exposition, health: health)
        let port = try server.start()
        log("metrics for stage \(stage.rawValue) on \(server.baseURL ?? "port \(port)")/metrics and /health")
        if self.metrics.metricsPort == 0 {
            FileHandle.standardOutput.write(Data("metrics port \(port)\n".utf8))
        }
        let watcher: PipelineWatcher? = stage == .transform ? nil : try? PipelineWatcher(topology: topology, bootstrapServers: servers)
        let watcherThread = watcher.map { watcher in
            DetachedThread(name: "driftline-metrics-watcher") {
                try watcher.start()
                watcher.run()
            }
        }
        let exporter = Task {
            var stageExporter = StageMetricsExporter(
                metrics: StageMetrics(stage: stage.rawValue, factory: exposition.factory), health: health,
                outputTopic: Up.outputTopic(of: stage, topology: topology))
            var modelExporter = ModelMetricsExporter(factory: exposition.factory, models: stage == .learn, alerts: stage == .detect)
            while !Task.isCancelled {
                stageExporter.export(runner.statistics)
                if let watcher { modelExporter.export(watcher.snapshot) }
                try? await Task.sleep(for: .seconds(1))
            }
            watcher?.stop()
            await watcherThread?.wait()
            watcher?.close()
        }
        return MetricsEndpoint(server: server, exporter: exporter)
    }

    static func describe(_ statistics: StageStatistics) -> String {
        "in \(statistics.recordsIn), out \(statistics.recordsOut), dead-lettered \(statistics.deadLettered), "
            + "delivered \(statistics.delivered), commits \(statistics.commits), partitions "
            + statistics.partitions.map { "\($0.topicPartition)@\($0.nextOffset.map(String.init) ?? "-")" }
            .joined(separator: ",")
    }
}

/// One timestamped line on stderr.
private func log(_ message: String) {
    let line = "\(Date().formatted(.iso8601)) driftline: \(message)\n"
    FileHandle.standardError.write(Data(line.utf8))
}

/// A stage's running metrics server and the task that feeds it.
private struct MetricsEndpoint {
    let server: MetricsServer
    let exporter: Task<Void, Never>

    func stop() {
        exporter.cancel()
        server.stop()
    }
}
