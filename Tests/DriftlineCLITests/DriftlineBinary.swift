import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The built `driftline` executable, run as a user would: from the repository root, output in
/// temporary files (no pipe can fill up and stall it), killed by PID if it outlives its timeout.
enum DriftlineBinary {
    /// The outcome of one run.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// A run that did not give what the test needs, with the reason.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The `driftline` binary: `DRIFTLINE_BINARY`, else beside the test bundle (the build
    /// products directory), else `.build/debug/driftline`.
    static func executable() throws -> URL {
        // DRIFTLINE_BINARY runs the CLI tests against another build (e.g. a release one).
        if let path = ProcessInfo.processInfo.environment["DRIFTLINE_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL {
            var directory = bundle.deletingLastPathComponent()
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
        throw Failure("driftline binary not found; build with `swift build --build-tests` "
                           + "(looked in \(candidates.map(\.path)))")
    }

    /// The binary's path; empty when it is not built (`executable()` says where it looked).
    static var path: String { (try? executable().path) ?? "" }

    static var isBuilt: Bool { (try? executable()) != nil }

    /// Runs `driftline arguments…` to completion (or `timeout`), feeding `input` on stdin.
    static func run(_ arguments: [String], input: String = "", timeout: Duration = .seconds(300)) throws -> Result {
        try runProcess(try executable().path, arguments, input: input, timeout: timeout)
    }
}

/// Runs any executable as `DriftlineBinary.run` does, from the repository root; `removing`
/// names environment variables the child must not inherit.
func runProcess(
    _ executable: String, _ arguments: [String], input: String = "", timeout: Duration = .seconds(60),
    removing environmentNames: [String] = []
) throws -> DriftlineBinary.Result {
    let directory = FileManager.default.temporaryDirectory
    let id = UUID().uuidString
    let stdinURL = directory.appendingPathComponent("driftline-in-\(id)")
    let stdoutURL = directory.appendingPathComponent("driftline-out-\(id)")
    let stderrURL = directory.appendingPathComponent("driftline-err-\(id)")
    try Data(input.utf8).write(to: stdinURL)
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    defer {
        for url in [stdinURL, stdoutURL, stderrURL] { try? FileManager.default.removeItem(at: url) }
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = Fixtures.repositoryRoot
    if !environmentNames.isEmpty {
        var environment = ProcessInfo.processInfo.environment
        for name in environmentNames { environment.removeValue(forKey: name) }
        process.environment = environment
    }
    process.standardInput = try FileHandle(forReadingFrom: stdinURL)
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
    let timedOut = process.isRunning
    if timedOut { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return DriftlineBinary.Result(
        status: process.terminationStatus,
        stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
        stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self),
        timedOut: timedOut)
}
/// A long-running `driftline` child process (`broker`, `subscribe`): output in temporary files,
/// stopped by PID with SIGTERM (SIGKILL after 10 s) in `stop()` or at the latest in `deinit`.
final class DriftlineProcess {
    let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL
    private var exitStatus: Int32?

    init(_ arguments: [String]) throws {
        let id = UUID().uuidString
        stdoutURL = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-out-\(id)")
        stderrURL = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-err-\(id)")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: DriftlineBinary.path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self) }

    /// Waits until stdout has a complete first line and returns it (nil if the process exits
    /// or `timeout` passes first).
    func firstLine(timeout: Duration = .seconds(20)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if !process.isRunning { return nil }
            usleep(10_000)
        }
        return nil
    }

    /// Sends SIGTERM and waits for the exit (SIGKILL after `grace`). Returns the exit status;
    /// idempotent.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) -> Int32 {
        if let exitStatus { return exitStatus }
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        process.waitUntilExit()
        exitStatus = process.terminationStatus
        return process.terminationStatus
    }
}

/// `driftline broker` in a child process, its address read from the first line of stdout.
final class BrokerCommandProcess {
    let child: DriftlineProcess
    let bootstrapServers: String

    init(arguments: [String] = []) throws {
        child = try DriftlineProcess(["broker"] + arguments)
        guard let line = child.firstLine() else {
            child.stop()
            throw BrokerProcessError.notReady("driftline broker printed no address: \(child.stderr)")
        }
        bootstrapServers = line
    }

    @discardableResult
    func stop() -> Int32 { child.stop() }
}
