import ArgumentParser

/// `driftline bench …`: benchmarks, apart from the tests. Each one prints its figures next to a
/// reference measured in the same run, as a ratio, so results from different machines compare.
/// Build with `-c release` before trusting any figure.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Driftline against a reference run in the same invocation.",
        subcommands: Bench.allSubcommands
    )

    /// Registration point: one line per benchmark.
    static let allSubcommands: [any ParsableCommand.Type] = [
        BenchML.self,
        BenchDrift.self,
        BenchTransport.self,
        BenchPipeline.self,
        BenchParse.self,
        BenchEOS.self,
        BenchRestore.self,
    ]
}
