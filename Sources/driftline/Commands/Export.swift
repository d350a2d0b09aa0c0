import ArgumentParser
import Foundation
import Pipeline

/// `driftline export`: writes the input slice a model version was trained on (with offsets and
/// the recorded hashes) so it can be replayed without the brokers.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the input records a model version was trained on to a JSONL slice.",
        discussion: """
            The first line names the model, the version, the recorded content hash of every \
            version of its lineage and the on_drift actions (resets, challenger trials) with the \
            input positions where they took effect; each further line is one input record: \
            {"offset":…,"partition":…,"topic":…,"value":"<the record as a string>"}. \
            Replay it with `driftline replay --file SLICE --topology FILE --verify`.
            """
    )

    @OptionGroup var source: TopologyOptions

    @Option(help: "The model version: NAME@VERSION.")
    var model: String

    @Option(help: "Where to write the slice (JSONL).")
    var output: String

    func run() throws {
        let loaded = try ModelSliceIO.loadTopology(source.topology)
        let (key, version) = try ModelSliceIO.parseModel(model)
        let lineage = try ModelSliceIO.lineage(topology: loaded, key: key, brokers: source.brokers)
        let slice = try ModelSliceIO.slice(topology: loaded, key: key, version: version, lineage: lineage, brokers: source.brokers)
        try ModelSliceIO.write(slice, to: URL(fileURLWithPath: output))
        print("wrote \(slice.records.count) records of \(key)@\(version) to \(output)")
    }
}
