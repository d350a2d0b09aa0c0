import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Accepts TCP connections on a fixed 127.0.0.1 port and relays each one to another loopback
/// port. `EmbeddedBroker` uses it to offer a well-known bootstrap address: librdkafka 2.0.2's
/// mock brokers bind ephemeral ports, but a client only needs the bootstrap connection for its
/// first metadata request, which then points it at the brokers' real ports.
///
/// Threads, not the cooperative pool: every read, write and accept here blocks.
final class LoopbackForwarder: Sendable {
    let port: Int
    private let targetPort: Int
    private let listener: Int32
    /// Open sockets (listener excluded), shut down by `stop`.
    private let connections = Mutex<[Int32]>([])
    private let stopped = Atomic<Bool>(false)

    init(port: Int, targetPort: Int) throws(KafkaError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.systemError("socket", port: port) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let error = Self.systemError("bind", port: port)
            close(fd)
            throw error
        }
        self.port = port
        self.targetPort = targetPort
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "embedded-broker-forwarder"
        thread.start()
    }

    /// Closes the listening port and every relayed connection.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        let open = connections.withLock { $0 }
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard upstream >= 0, connected == 0 else {
                if upstream >= 0 { close(upstream) }
                close(client)
                continue
            }
            connections.withLock { $0 += [client, upstream] }
            relay(from: client, to: upstream)
            relay(from: upstream, to: client)
        }
    }

    /// Copies bytes one way until EOF, then half-closes the other side; the second direction
    /// to finish closes both sockets.
    private func relay(from source: Int32, to destination: Int32) {
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            copying: while true {
                let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                var sent = 0
                while sent < count {
                    // `send` with MSG_NOSIGNAL, not `write`: a peer that hung up must end this
                    // relay with EPIPE, not raise SIGPIPE and take the whole broker down.
                    let written = buffer.withUnsafeBytes {
                        send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL))
                    }
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break copying }
                    sent += written
                }
            }
            shutdown(destination, Int32(SHUT_WR))
            let last = connections.withLock { open -> Bool in
                // Each socket appears once; remove `source`, and close both when the peer is
                // already gone (the other direction finished first).
                open.removeAll { $0 == source }
                return !open.contains(destination)
            }
            if last {
                close(source)
                close(destination)
            }
        }
        thread.name = "embedded-broker-relay"
        thread.start()
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func systemError(_ call: String, port: Int) -> KafkaError {
        KafkaError.client(
            "\(call) on 127.0.0.1:\(port) failed: \(String(cString: strerror(errno)))",
            operation: "listen for the embedded broker")
    }
}
