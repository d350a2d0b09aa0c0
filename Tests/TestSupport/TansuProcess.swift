import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A Tansu broker process on a free loopback port with in-memory storage, stopped by PID
/// (SIGTERM, then SIGKILL) in `stop()` or at the latest in `deinit`.
public final class TansuProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched in init and in `stop`, which is idempotent under
    // `lock`.
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    public let port: Int
    public var pid: Int32 { process.processIdentifier }
    public var bootstrapServers: String { "127.0.0.1:\(port)" }

    /// Starts `tansu broker` and waits until its port accepts connections.
    public init(executable: String, readyTimeout: Duration = .seconds(20)) throws {
        var lastError: Error = BrokerProcessError.notReady("tansu did not start")
        for _ in 0..<3 {
            let port = try FreePort.next()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "broker",
                "--listener-url", "tcp://127.0.0.1:\(port)",
                "--advertised-listener-url", "tcp://127.0.0.1:\(port)",
                "--storage-engine", "memory://tansu/",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let deadline = ContinuousClock.now + readyTimeout
            while process.isRunning && ContinuousClock.now < deadline && !FreePort.accepts(port) {
                usleep(10_000)
            }
            if process.isRunning && FreePort.accepts(port) {
                self.process = process
                self.port = port
                return
            }
            lastError = BrokerProcessError.notReady("tansu on port \(port) did not accept connections")
            Self.kill(process)
        }
        throw lastError
    }

    deinit {
        stop()
    }

    /// Stops the broker process and waits for it to exit.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Self.kill(process)
    }

    private static func kill(_ process: Process) {
        let pid = process.processIdentifier
        guard process.isRunning, pid > 0 else { return }
        Glibc.kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            Glibc.kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
