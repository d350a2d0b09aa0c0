import ArgumentParser
import Monitoring
import Pipeline

/// The metrics-endpoint flags of every command that runs stages (`driftline stage`, `up`):
/// they override the topology's `metrics:` section, e.g. `--metrics-host 0.0.0.0` in a container.
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Serve /metrics and /health on this port; 0 picks a free port and prints it.",
        discussion: "Default: the topology's metrics.port; without a metrics section and without this flag, no endpoint.",
        valueName: "port"))
    var metricsPort: Int?

    @Option(help: ArgumentHelp(
        "IPv4 address for /metrics and /health (0.0.0.0: every interface).",
        discussion: "Default: the topology's metrics.host, else 127.0.0.1 (loopback only).",
        valueName: "address"))
    var metricsHost: String?

    func validate() throws {
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be from 0 to 65535")
        }
        if let metricsHost, metricsHost != "localhost", !MetricsSettings.isIPv4Address(metricsHost) {
            throw ValidationError("--metrics-host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0")
        }
    }

    /// The endpoint for `topology`, or `nil` for none.
    func configuration(for topology: Topology) -> MetricsServer.Configuration? {
        topology.metricsServerConfiguration(port: metricsPort, host: metricsHost)
    }
}
