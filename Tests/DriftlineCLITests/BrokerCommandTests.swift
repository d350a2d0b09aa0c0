import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

extension KafkaCommandTests {
    @Suite struct BrokerCommandTests {
        @Test func printsItsAddressAndStopsOnSIGTERM() throws {
            let broker = try BrokerCommandProcess(arguments: ["--brokers", "2", "--topic", "alerts:3"])
            let addresses = broker.bootstrapServers.split(separator: ",")
            #expect(addresses.count == 2)
            for address in addresses {
                #expect(address.hasPrefix("127.0.0.1:"))
                let port = try #require(Int(address.split(separator: ":").last ?? ""))
                #expect(FreePort.accepts(port))
            }
            #expect(broker.child.stderr.contains("listening on \(broker.bootstrapServers)"))
            #expect(broker.stop() == 0)
            #expect(broker.child.stderr.contains("stopped on SIGTERM"))
        }

        @Test func fixedPortServesBootstrapConnections() throws {
            let port = try FreePort.next()
            let broker = try BrokerCommandProcess(arguments: ["--port", "\(port)", "--topic", "fixed:2"])
            defer { broker.stop() }
            #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:\(port),"))

            // Clients configured with only the fixed address reach the cluster.
            let fixed = "127.0.0.1:\(port)"
            let listed = try DriftlineBinary.run(["topics", "list", "--brokers", fixed])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
                .contains(["fixed", "2"]))
            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", fixed, "--topic", "fixed"], input: #"{"n":1}"# + "\n")
            #expect(produced.status == 0, "\(produced.stderr)")
            let read = try DriftlineBinary.run(
                ["subscribe", "--brokers", fixed, "--topic", "fixed", "--from-beginning", "--max", "1"])
            #expect(read.status == 0, "\(read.stderr)")
            #expect(read.stdout.contains(#""value":{"n":1}"#))

            // A second broker cannot take the same port, and says why.
            let second = try DriftlineBinary.run(["broker", "--port", "\(port)"], timeout: .seconds(20))
            #expect(second.status != 0)
            #expect(second.stderr.contains("could not start the embedded broker"))
            #expect(second.stderr.contains("Address already in use"))
        }

        /// Clients that hang up before their answers arrive (a CLI command exiting) must not
        /// take the broker down: the relay once wrote to such sockets with `write` and died of
        /// SIGPIPE, and the next command found nothing listening.
        @Test func clientsHangingUpOnTheFixedPortLeaveTheBrokerRunning() throws {
            let port = try FreePort.next()
            let broker = try BrokerCommandProcess(arguments: ["--port", "\(port)", "--topic", "fixed:1"])
            defer { broker.stop() }
            for round in 0..<50 {
                try HangingUpClient.send(KafkaRequests.apiVersionsAndMetadata(repeated: 20), to: port, reset: round % 2 == 0)
            }
            usleep(200_000)
            #expect(broker.child.process.isRunning, "\(broker.child.stderr)")
            let listed = try DriftlineBinary.run(["topics", "list", "--brokers", "127.0.0.1:\(port)"])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
                .contains(["fixed", "1"]))
            #expect(broker.stop() == 0)
        }
    }
}

/// Raw Kafka request frames, enough to make a broker answer.
private enum KafkaRequests {
    /// `repeated` ApiVersions v0 and Metadata v0 (all topics) requests, back to back.
    static func apiVersionsAndMetadata(repeated: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<repeated {
            bytes += frame(apiKey: 18, correlationID: Int32(2 * index), body: [])
            bytes += frame(apiKey: 3, correlationID: Int32(2 * index + 1), body: bigEndian(Int32(-1)))
        }
        return bytes
    }

    private static func frame(apiKey: Int16, correlationID: Int32, body: [UInt8]) -> [UInt8] {
        let clientID = Array("test".utf8)
        let header = bigEndian(apiKey) + bigEndian(Int16(0)) + bigEndian(correlationID)
            + bigEndian(Int16(clientID.count)) + clientID
        return bigEndian(Int32(header.count + body.count)) + header + body
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}

/// A client that sends its requests and closes at once, without reading: with `reset` it
/// aborts the connection (RST, `SO_LINGER` 0), otherwise it closes normally (FIN).
private enum HangingUpClient {
    static func send(_ bytes: [UInt8], to port: Int, reset: Bool) throws {
        let fd = try FreePort.connect(to: port)
        defer { close(fd) }
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw BrokerProcessError.system("send", errno) }
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
    }
}
