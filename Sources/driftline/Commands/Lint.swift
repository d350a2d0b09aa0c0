import ArgumentParser
import Foundation
import Pipeline

/// `driftline lint FILE…`: checks topology files without running anything, so a typo is caught
/// before deployment rather than by a stage at start-up.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check topology files.",
        discussion: """
            Prints "FILE: ok" for a valid file, otherwise every problem as \
            FILE:LINE:COLUMN: FIELD.PATH: message. Exits non-zero if any file has a problem.
            """
    )

    @Argument(help: "Topology files (YAML).")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one topology file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                _ = try Topology.load(contentsOf: URL(fileURLWithPath: file), displayName: file)
                print("\(file): ok")
            } catch let errors as TopologyErrors {
                failed = true
                for error in errors.errors { print(error) }
            }
        }
        if failed { throw ExitCode.failure }
    }
}
