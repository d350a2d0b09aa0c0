/// The Prometheus endpoint of the running stages.
///
/// In a file: `metrics: {port: 9464}`. Without a `metrics:` section no endpoint is served.
public struct MetricsSettings: Sendable, Equatable {
    /// The default port (the conventional Prometheus exporter port).
    public static let defaultPort = 9464

    /// TCP port of `/metrics`. Default 9464.
    public var port: Int

    public init(port: Int = MetricsSettings.defaultPort) {
        self.port = port
    }
}
