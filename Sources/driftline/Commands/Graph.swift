import ArgumentParser
import Foundation
import Pipeline

/// `driftline graph FILE`: draws a topology (topics, stages, the retraining loop, dead
/// letters) so a reviewer sees the dataflow without reading YAML.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a topology as a Mermaid flowchart or a Graphviz graph.",
        discussion: """
            Topics and stages are nodes; an arrow for every topic a stage reads or writes, the \
            drift-alert control arrow into the learner (on_drift), the learner's restore from \
            the model topic, and every stage's dead letters.

            Examples:
              driftline graph topologies/quickstart.yaml > quickstart.mmd
              driftline graph topologies/quickstart.yaml --format dot | dot -Tsvg > quickstart.svg
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Argument(help: "The topology file (YAML).")
    var file: String

    @Option(help: "Output format: mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        let topology: Topology
        do {
            topology = try Topology.load(contentsOf: URL(fileURLWithPath: file), displayName: file)
        } catch let errors as TopologyErrors {
            let text = errors.errors.map { "\($0)\n" }.joined()
            FileHandle.standardError.write(Data(text.utf8))
            throw ExitCode.failure
        }
        let graph = TopologyGraph(topology)
        switch format {
        case .mermaid: print(graph.mermaid(), terminator: "")
        case .dot: print(graph.dot(), terminator: "")
        }
    }
}
