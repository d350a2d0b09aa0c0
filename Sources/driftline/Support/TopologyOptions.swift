import ArgumentParser
import Foundation
import Pipeline

/// The topology file and the brokers to read its topics from, as the commands that read a
/// running topology's model and input topics take them (`models`, `replay`, `export`).
struct TopologyOptions: ParsableArguments {
    @Option(help: "The topology file (YAML).")
    var topology: String

    @Option(help: "Bootstrap servers (host:port,…); overrides the topology's `brokers`.")
    var brokers: String?
}

extension Topology {
    /// The topology file at `path` for a command that reads its topics: its file:line errors
    /// become the command's failure (exit 1).
    static func loadForClients(_ path: String) throws -> Topology {
        do {
            return try Topology.load(contentsOf: URL(fileURLWithPath: path), displayName: path)
        } catch let errors as TopologyErrors {
            throw CommandFailure(errors.description)
        }
    }

    /// `brokers` when given, else the topology's own; a topology on the embedded broker names
    /// no address another process can reach.
    func bootstrapServers(overriddenBy brokers: String?) throws -> String {
        guard let servers = brokers ?? self.brokers.bootstrapServers else {
            throw CommandFailure("""
                the topology says `brokers: embedded`: give --brokers HOST:PORT (the address \
                `driftline up` or `driftline broker` printed)
                """)
        }
        return servers
    }
}
