import ArgumentParser

/// The topology file and the brokers to read its topics from, as the commands that read a
/// running topology's model and input topics take them (`models`, `replay`, `export`).
struct TopologyOptions: ParsableArguments {
    @Option(help: "The topology file (YAML).")
    var topology: String

    @Option(help: "Bootstrap servers (host:port,…); overrides the topology's `brokers`.")
    var brokers: String?
}
