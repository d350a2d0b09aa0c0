import ArgumentParser

/// The `driftline` command. Each subcommand lives in its own file under `Commands/`.
@main
struct Driftline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftline",
        abstract: "A streaming pipeline engine for online machine learning over Kafka.",
        version: "0.1.0",
        subcommands: Driftline.allSubcommands
    )

    /// Registration point: one line per subcommand, in the order `--help` shows them.
    static let allSubcommands: [any ParsableCommand.Type] = [
        Bench.self,
        Lint.self,
        Evaluate.self,
        Generate.self,
        Graph.self,
        StageCommand.self,
        Replay.self,
        Export.self,
    ]
}
