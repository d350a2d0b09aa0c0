import ArgumentParser
import Foundation
import Kafka
import OnlineML
import Pipeline

/// `driftline replay`: rebuilds a model version from the input its lineage records and, with
/// `--verify`, checks the content hash — the proof that the pipeline is deterministic.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild a model version from its recorded input and verify its content hash.",
        discussion: """
            With --model NAME@VERSION, reads the version's lineage from the topology's models \
            topic, prints the chain (version ← parent … with offset ranges, publish reasons and \
            the alert/action that started the lineage), reads the input offset ranges back from \
            the events topic and rebuilds the version, re-applying the recorded on_drift actions \
            (resets, challenger trials) at the input positions where they took effect. With --file, replays a slice written by \
            `driftline export` instead (no broker needed). --verify exits 1 when a rebuilt \
            version's content hash differs from the recorded one, naming the first such \
            version and the offsets it covers. See docs/guarantees.md.
            """
    )

    @OptionGroup var source: TopologyOptions

    @Option(help: "The model version: NAME@VERSION (NAME is the model key, e.g. phishing or phishing/2).")
    var model: String?

    @Option(help: "A slice written by `driftline export` to replay instead of reading the brokers.")
    var file: String?

    @Flag(help: "Compare the rebuilt content hashes with the recorded ones; exit 1 on a mismatch.")
    var verify = false

    func run() throws {
        let loaded = try ModelSliceIO.loadTopology(source.topology)
        let slice: ModelSlice
        if let file {
            slice = try ModelSliceIO.read(URL(fileURLWithPath: file))
        } else if let model {
            let (key, version) = try ModelSliceIO.parseModel(model)
            let lineage = try ModelSliceIO.lineage(topology: loaded, key: key, brokers: source.brokers)
            print("lineage of \(key)@\(version):")
            for line in lineage.describeChain(from: version) { print("  " + line) }
            slice = try ModelSliceIO.slice(topology: loaded, key: key, version: version, lineage: lineage, brokers: source.brokers)
        } else {
            throw ValidationError("give --model NAME@VERSION or --file SLICE")
        }
        for action in slice.actions {
            print("re-applying \(action.action) at \(action.position.source.topic)[\(action.position.source.partition)]@"
                + "\(action.position.source.offset) (features \(action.position.features.topic)[\(action.position.features.partition)]@"
                + "\(action.position.features.offset))")
        }
        let outcome = try ModelReplay.rebuild(topology: loaded, records: slice.records, actions: slice.actions)
        guard let rebuilt = outcome.document(version: slice.version) else {
            ModelSliceIO.log("replay of \(slice.key)@\(slice.version): the input does not reach that version")
            throw ExitCode(1)
        }
        print("rebuilt \(slice.key)@\(slice.version) from \(slice.records.count) records: \(rebuilt.contentHash)")
        guard verify else { return }
        if let mismatch = ModelReplay.firstMismatch(outcome: outcome, recorded: slice.recorded, upTo: slice.version) {
            ModelSliceIO.log("verify FAILED for \(slice.key)@\(slice.version): \(mismatch)")
            throw ExitCode(1)
        }
        print("verified: \(slice.recorded.filter { $0.version <= slice.version }.count) versions match their recorded content hashes")
    }
}
