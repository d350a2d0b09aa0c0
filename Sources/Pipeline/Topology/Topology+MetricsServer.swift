import Monitoring

extension Topology {
    /// Where a stage of this topology serves `/metrics` and `/health`: the file's `metrics:`
    /// section, with command-line overrides winning. `nil` when neither the file nor a flag asks
    /// for an endpoint. A flag alone turns the endpoint on (with the other value's default).
    public func metricsServerConfiguration(port: Int? = nil, host: String? = nil) -> MetricsServer.Configuration? {
        guard metrics != nil || port != nil || host != nil else { return nil }
        let settings = metrics ?? MetricsSettings()
        return MetricsServer.Configuration(host: host ?? settings.host, port: port ?? settings.port)
    }
}
