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
        Up.self,
        StageCommand.self,
        Evaluate.self,
        Lint.self,
        Graph.self,
        Models.self,
        Replay.self,
        Export.self,
        Broker.self,
        Produce.self,
        Subscribe.self,
        Topics.self,
        Generate.self,
        Bench.self,
    ]
}
