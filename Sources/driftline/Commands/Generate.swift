import ArgumentParser
import Foundation
import OnlineML

/// `driftline generate`: a seeded synthetic event stream as JSON lines, so the quickstart,
/// benchmarks and demos need no downloaded data. Same options and seed, same bytes.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a seeded synthetic event stream (JSON lines) with optional drift.",
        discussion: """
            Each event has 20 numeric fields x0…x19 and 3 categorical fields cat0…cat2 \
            (5,000 categories in all), a 0/1 label `y` from a hidden linear concept with label \
            noise, and an `id`. Drift positions are 0-based indices of the first event of the new \
            regime.

            Example: a stream whose concept changes at events 20,000 and 40,000:
              driftline generate --events 60000 --drift-at 20000,40000 > events.jsonl
            """
    )

    enum DriftKind: String, ExpressibleByArgument, CaseIterable {
        /// A new hidden concept (the label function changes).
        case concept
        /// The means of x0…x4 shift by 2 standard deviations (data drift).
        case mean
        /// cat0's category distribution is mirrored (data drift on a categorical field).
        case category
    }

    @Option(help: "Number of events.")
    var events: Int = 10_000

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 42

    @Option(help: "Comma-separated drift positions.", transform: Generate.parsePositions)
    var driftAt: [Int] = []

    @Option(help: "What changes at each drift position: \(DriftKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var drift: DriftKind = .concept

    @Option(help: "Probability that a label is flipped.")
    var labelNoise: Double = 0.05

    @Option(help: "Write to this file instead of standard output.")
    var output: String?

    static func parsePositions(_ text: String) throws -> [Int] {
        try text.split(separator: ",").map { part in
            guard let position = Int(part.trimmingCharacters(in: .whitespaces)), position >= 0 else {
                throw ValidationError("--drift-at: '\(part)' is not a non-negative event index")
            }
            return position
        }
    }

    func validate() throws {
        guard events >= 0 else { throw ValidationError("--events must be ≥ 0") }
        guard (0...1).contains(labelNoise) else { throw ValidationError("--label-noise must be in [0, 1]") }
    }

    func run() throws {
        let drifts: [SyntheticStream.Drift] = driftAt.map { position in
            switch drift {
            case .concept: .concept(at: position)
            case .mean: .meanShift(at: position, features: [0, 1, 2, 3, 4], amount: 2)
            case .category: .categoryShift(at: position, field: 0)
            }
        }
        var stream = SyntheticStream(
            configuration: .init(labelNoise: labelNoise, drifts: drifts), seed: seed)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("cannot create \(output)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            handle = FileHandle.standardOutput
        }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        for _ in 0..<events {
            buffer += stream.next().jsonLine(labelField: "y", idField: "id")
            buffer += "\n"
            if buffer.utf8.count >= 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer.utf8))
        if output != nil { try handle.close() }
    }
}
