import Foundation
import Testing
import TestSupport

/// End-to-end tests of the Kafka commands (`broker`, `produce`, `subscribe`, `topics`): they run
/// the built `driftline` binary as child processes against real brokers. One serialized parent
/// suite, so broker processes from different files never run at once.
@Suite(.serialized, .enabled(if: DriftlineBinary.isBuilt, "needs .build/debug/driftline (swift build)"))
struct KafkaCommandTests {}

/// The brokers the command tests run against: `driftline broker` in a child process, and Tansu
/// when `DRIFTLINE_TANSU` is set and librdkafka >= 2.10 is loaded (children inherit
/// `LD_LIBRARY_PATH`, so they load the same one).
enum CommandBrokerKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case embedded, tansu
    var description: String { rawValue }

    /// The kinds usable in this run.
    static var available: [CommandBrokerKind] {
        BrokerKind.tansuUsable ? [.embedded, .tansu] : [.embedded]
    }
}

/// A broker for one test, with the topics it needs, stopped by PID when the test ends.
final class CommandBroker {
    let kind: CommandBrokerKind
    let bootstrapServers: String
    private let process: BrokerCommandProcess?
    private let tansu: TestBroker?

    /// Starts a broker that has `topics` (name, partitions).
    init(_ kind: CommandBrokerKind, topics: [(String, Int)]) throws {
        self.kind = kind
        switch kind {
        case .embedded:
            let process = try BrokerCommandProcess(arguments: topics.flatMap { ["--topic", "\($0.0):\($0.1)"] })
            self.process = process
            tansu = nil
            bootstrapServers = process.bootstrapServers
        case .tansu:
            let broker = try TestBroker(.tansu)
            for (name, partitions) in topics { try broker.createTopic(name, partitions: partitions) }
            tansu = broker
            process = nil
            bootstrapServers = broker.bootstrapServers
        }
    }

    deinit { stop() }

    func stop() {
        process?.stop()
        tansu?.stop()
    }
}

/// A topic name no other test uses.
func uniqueTopic(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, suffix: String) throws -> String {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("driftline-cli-\(UUID().uuidString)\(suffix)")
    try Data(text.utf8).write(to: url)
    return url.path
}

/// The JSON objects of `subscribe`'s output, one per line.
func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }
}
