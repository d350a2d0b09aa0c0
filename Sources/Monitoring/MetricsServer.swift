#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// Serves `/metrics` (Prometheus text) and `/health` (JSON) over HTTP/1.1, on loopback by
/// default.
///
/// A minimal server over POSIX sockets on one dedicated thread, so it never touches Swift's
/// cooperative pool and adds no networking dependency: GET only, one request per connection
/// (`Connection: close`), the request head bounded in size and time. Scrapes are sequential; a
/// client that stalls holds the next one for at most ``Configuration/ioTimeout``.
public final class MetricsServer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// IPv4 address to listen on (`localhost` means `127.0.0.1`). Default loopback.
        public var host: String
        /// TCP port; `0` picks a free one (see ``MetricsServer/port``).
        public var port: Int
        /// Largest request head accepted; longer requests get 431. Default 8 KiB.
        public var maxRequestHeadBytes: Int
        /// How long reading a request or writing a response may take. Default 5 s.
        public var ioTimeout: Duration

        public init(host: String = "127.0.0.1", port: Int = 9464, maxRequestHeadBytes: Int = 8192,
                    ioTimeout: Duration = .seconds(5)) {
            self.host = host
            self.port = port
            self.maxRequestHeadBytes = maxRequestHeadBytes
            self.ioTimeout = ioTimeout
        }
    }

    public struct ServerError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let configuration: Configuration
    private let handler: MetricsRequestHandler
    private let state = Mutex(State())

    private struct State {
        var phase: Phase = .idle
        var port: Int?
        var wakeWrite: Int32 = -1
        var finished: DispatchSemaphore?

        enum Phase { case idle, running, stopped }
    }

    public init(configuration: Configuration = Configuration(), exposition: PrometheusExposition,
                health: StageHealth) {
        self.configuration = configuration
        self.handler = MetricsRequestHandler(exposition: exposition, health: health,
                                             maxRequestHeadBytes: configuration.maxRequestHeadBytes,
                                             ioTimeout: configuration.ioTimeout)
    }

    deinit {
        stop()
    }

    /// The bound port once started (the chosen one when configured with port 0).
    public var port: Int? {
        state.withLock { $0.port }
    }

    /// `http://HOST:PORT` once started.
    public var baseURL: String? {
        port.map { "http://\(configuration.host == "localhost" ? "127.0.0.1" : configuration.host):\($0)" }
    }

    /// Binds, listens and starts serving on a new thread. Returns the bound port. Throws if the
    /// address is invalid or taken; a server starts at most once.
    @discardableResult
    public func start() throws -> Int {
        try state.withLock { state in
            guard state.phase == .idle else { throw ServerError(message: "the metrics server was already started") }
            let listener = try Self.listen(host: configuration.host, port: configuration.port)
            var pipeFDs: [Int32] = [-1, -1]
            guard pipe(&pipeFDs) == 0 else {
                close(listener)
                throw ServerError(message: "cannot create the wake-up pipe: \(String(cString: strerror(errno)))")
            }
            let port: Int
            do {
                port = try Self.boundPort(listener)
            } catch {
                close(listener)
                close(pipeFDs[0])
                close(pipeFDs[1])
                throw error
            }
            let finished = DispatchSemaphore(value: 0)
            let handler = self.handler
            let wakeRead = pipeFDs[0]
            let thread = Thread {
                handler.acceptLoop(listener: listener, wake: wakeRead)
                close(listener)
                close(wakeRead)
                finished.signal()
            }
            thread.name = "driftline-metrics"
            thread.start()
            state.phase = .running
            state.port = port
            state.wakeWrite = pipeFDs[1]
            state.finished = finished
            return port
        }
    }

    /// Stops accepting, finishes the request in progress, closes the socket and waits for the
    /// thread to end. Safe to call more than once.
    public func stop() {
        let (wakeWrite, finished) = state.withLock { state -> (Int32, DispatchSemaphore?) in
            guard state.phase == .running else {
                state.phase = .stopped
                return (-1, nil)
            }
            state.phase = .stopped
            defer {
                state.wakeWrite = -1
                state.finished = nil
            }
            return (state.wakeWrite, state.finished)
        }
        guard wakeWrite >= 0, let finished else { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
        close(wakeWrite)
    }

    // MARK: Sockets

    private static func listen(host: String, port: Int) throws -> Int32 {
        guard (0...65535).contains(port) else { throw ServerError(message: "port \(port) is not in 0...65535") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, literal, &address.sin_addr) == 1 else {
            throw ServerError(message: "\"\(host)\" is not an IPv4 address")
        }
        #if canImport(Glibc) || canImport(Musl)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError(message: "socket: \(String(cString: strerror(errno)))") }
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServerError(message: "cannot listen on \(host):\(port): \(reason)")
        }
        #if canImport(Glibc) || canImport(Musl)
        let listening = Glibc.listen(fd, 64)
        #else
        let listening = Darwin.listen(fd, 64)
        #endif
        guard listening == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServerError(message: "cannot listen on \(host):\(port): \(reason)")
        }
        return fd
    }

    private static func boundPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw ServerError(message: "getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
