/// The Prometheus endpoint (`/metrics`, `/health`) of the running stages.
///
/// In a file: `metrics: {port: 9464}` or `metrics: {port: 0, host: 0.0.0.0}`. Without a
/// `metrics:` section no endpoint is served.
public struct MetricsSettings: Sendable, Equatable {
    /// The default port (the conventional Prometheus exporter port).
    public static let defaultPort = 9464
    /// The default address: loopback, so nothing is exposed beyond the machine unless asked.
    public static let defaultHost = "127.0.0.1"

    /// TCP port of `/metrics`. Default 9464. `0` picks a free port, which the stage reports when
    /// it starts (several stages on one host then never collide).
    public var port: Int
    /// IPv4 address to listen on. Default `127.0.0.1`; `0.0.0.0` serves every interface (what
    /// a container needs so Prometheus in another container can scrape it).
    public var host: String

    public init(port: Int = MetricsSettings.defaultPort, host: String = MetricsSettings.defaultHost) {
        self.port = port
        self.host = host
    }

    /// Whether `text` is a dotted-quad IPv4 address (`127.0.0.1`), the only form the endpoint
    /// binds to.
    public static func isIPv4Address(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(part), value <= 255 else { return false }
            return part == "0" || !part.hasPrefix("0")
        }
    }
}
