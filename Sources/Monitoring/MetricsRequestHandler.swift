#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The metrics server's thread: accepts connections one at a time, reads a bounded request
/// head, answers it and closes the connection.
struct MetricsRequestHandler: Sendable {
    let exposition: PrometheusExposition
    let health: StageHealth
    let maxRequestHeadBytes: Int
    let ioTimeout: Duration

    /// The answer to one request: routing by path, then method.
    func respond(to head: HTTPRequestHead) -> HTTPResponse {
        switch head.path {
        case "/metrics", "/health":
            guard head.method == "GET" else {
                return .text(405, "method \(head.method) not allowed; use GET", headers: [("Allow", "GET")])
            }
            if head.path == "/metrics" {
                return HTTPResponse(status: 200, contentType: PrometheusExposition.contentType,
                                    body: Array(exposition.text().utf8))
            }
            let report = health.report()
            return HTTPResponse(status: report.httpStatus, contentType: "application/json", body: report.json())
        default:
            return .text(404, "not found; try /metrics or /health")
        }
    }

    /// Runs until a byte arrives on `wake`.
    func acceptLoop(listener: Int32, wake: Int32) {
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            // Not inherited by processes a stage starts.
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            serve(client)
            close(client)
        }
    }

    /// Reads one request head from `client` and writes the answer.
    func serve(_ client: Int32) {
        setTimeout(client, SO_RCVTIMEO)
        setTimeout(client, SO_SNDTIMEO)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        let response: HTTPResponse
        var unreadInput = false
        while true {
            if let end = HTTPRequestHead.endOfHead(in: buffer) {
                do {
                    let head = try HTTPRequestHead.parse(buffer[..<end])
                    response = respond(to: head)
                    // A body (of a POST, say) may still be on its way: read it off after answering.
                    unreadInput = head.method != "GET" || buffer.count > end
                } catch {
                    response = .text(400, "bad request")
                    unreadInput = true
                }
                break
            }
            if buffer.count >= maxRequestHeadBytes {
                response = .text(431, "request head larger than \(maxRequestHeadBytes) bytes")
                unreadInput = true
                break
            }
            let wanted = min(chunk.count, maxRequestHeadBytes - buffer.count)
            let received = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, wanted, 0) }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
            } else if received == 0 {
                // The client closed before finishing its request.
                if buffer.isEmpty { return }
                response = .text(400, "incomplete request")
                break
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                if buffer.isEmpty { return }
                response = .text(408, "request not completed in time")
                break
            } else {
                return
            }
        }
        send(response.serialized(), to: client)
        if unreadInput { drain(client) }
    }

    private func send(_ bytes: [UInt8], to client: Int32) {
        var offset = 0
        #if canImport(Glibc) || canImport(Musl)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(client, $0.baseAddress! + offset, bytes.count - offset, flags)
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// After answering a request we did not read in full: half-close, then read and drop (a
    /// bounded amount) so closing does not reset the connection before the client reads the
    /// answer.
    private func drain(_ client: Int32) {
        _ = shutdown(client, Int32(SHUT_WR))
        var chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < 1 << 20 {
            let received = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                total += received
            } else if received < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    private func setTimeout(_ fd: Int32, _ option: Int32) {
        let (seconds, attoseconds) = ioTimeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}
