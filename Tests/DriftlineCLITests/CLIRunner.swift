import Foundation
import TestSupport

/// Runs the built `driftline` executable as a user would, capturing its output.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `driftline` binary: beside the test bundle (the build products directory), else
    /// `.build/debug/driftline` under the repository root.
    static func binary() throws -> URL {
        // DRIFTLINE_BINARY runs the CLI tests against another build (e.g. a release one).
        if let path = ProcessInfo.processInfo.environment["DRIFTLINE_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            var directory = executable.deletingLastPathComponent()
            // On Linux the tests run from `<products>/DriftlinePackageTests.xctest`.
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("driftline"))
                directory = directory.deletingLastPathComponent()
            }
        }
        candidates.append(Fixtures.repositoryRoot.appendingPathComponent(".build/debug/driftline"))
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        throw CLIError(message: "driftline binary not found; build with `swift build --build-tests` "
                           + "(looked in \(candidates.map(\.path)))")
    }

    struct CLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs `driftline ARGUMENTS` from the repository root and waits for it. Output goes to
    /// temporary files, so neither stream can fill a pipe and stall the child.
    static func run(_ arguments: [String]) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("driftline-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }

        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }
}
