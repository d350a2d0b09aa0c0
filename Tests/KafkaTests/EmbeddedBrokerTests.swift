import Foundation
import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// The embedded broker's own lifecycle and topic API.
    @Suite struct EmbeddedBrokerTests {
        @Test func bootstrapListsEveryBroker() throws {
            let broker = try EmbeddedBroker(brokers: 3)
            defer { broker.shutdown() }
            let entries = broker.bootstrapServers.split(separator: ",")
            #expect(entries.count == 3)
            #expect(entries.allSatisfy { $0.hasPrefix("127.0.0.1:") })
            #expect(broker.brokerCount == 3)
        }

        @Test func createTopicSetsPartitionCount() async throws {
            let broker = try EmbeddedBroker()
            defer { broker.shutdown() }
            try broker.createTopic("four", partitions: 7)
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers))
            defer { producer.close() }
            #expect(try producer.metadata().topic("four")?.partitions.count == 7)
            let report = try await producer.send(topic: "four", value: [UInt8]("x"), partition: 6)
            #expect(report.partition == 6 && report.offset == KafkaOffset(0))
        }

        @Test func shutdownIsIdempotentAndStopsTheApi() throws {
            let broker = try EmbeddedBroker()
            #expect(broker.isRunning)
            broker.shutdown()
            broker.shutdown()
            #expect(!broker.isRunning)
            #expect(throws: KafkaError.self) { try broker.createTopic("late") }
            #expect(throws: KafkaError.self) { try broker.setBrokerDown(1) }
        }
    }
}

extension KafkaBrokerTests.EmbeddedBrokerTests {
    /// A fixed bootstrap port works for clients (ours and kcat) although the mock brokers
    /// listen on ephemeral ports; a taken port is reported.
    @Test func fixedBootstrapPortServesClients() async throws {
        let port = try FreePort.next()
        let broker = try EmbeddedBroker(brokers: 2, bootstrapPort: port)
        defer { broker.shutdown() }
        #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:\(port),"))
        #expect(throws: KafkaError.self) { _ = try EmbeddedBroker(bootstrapPort: port) }

        let fixedOnly = "127.0.0.1:\(port)"
        try broker.createTopic("fixed", partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: fixedOnly))
        defer { producer.close() }
        let report = try await producer.send(topic: "fixed", key: [UInt8]("k"), value: [UInt8]("v"))
        #expect(report.offset.isConcrete)
        #expect(try await KafkaAdmin(bootstrapServers: fixedOnly).metadata().brokers.count == 2)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat") {
            let consumed = try runKcat(["-C", "-b", fixedOnly, "-t", "fixed", "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"])
            #expect(consumed.stdout == "k=v\n")
        }
    }
}

extension KafkaBrokerTests.EmbeddedBrokerTests {
    /// The broker's end of a client connection has Nagle off. librdkafka 2.0.2's mock takes it
    /// from its hosting handle, whose default leaves it on: a response could then wait ~40 ms
    /// for the client's delayed ACK (docs/operations.md, "Measuring the pipeline").
    @Test func acceptedConnectionsHaveNagleOff() throws {
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        let port = try #require(broker.brokerAddresses.split(separator: ":").last.flatMap { Int($0) })
        let client = try FreePort.connect(to: port)
        defer { close(client) }
        let clientPort = try #require(Self.port(of: client, peer: false))
        // The mock accepts on its own thread, in this process: find its end of the connection.
        var brokerSide: Int32?
        let deadline = ContinuousClock.now + .seconds(5)
        while brokerSide == nil && ContinuousClock.now < deadline {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            brokerSide = descriptors.compactMap { Int32($0) }.first {
                Self.port(of: $0, peer: true) == clientPort && Self.port(of: $0, peer: false) == port
            }
            if brokerSide == nil { Thread.sleep(forTimeInterval: 0.01) }
        }
        let socket = try #require(brokerSide)
        // The mock sets the option just after `accept`, which this thread may have seen first.
        var noDelay: Int32 = 0
        while noDelay == 0 && ContinuousClock.now < deadline {
            var length = socklen_t(MemoryLayout<Int32>.size)
            try #require(getsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &length) == 0)
            if noDelay == 0 { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(noDelay != 0)
    }

    /// The local (or peer) port of an IPv4 socket, nil for anything else.
    private static func port(of socket: Int32, peer: Bool) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(socket, $0, &length) : getsockname(socket, $0, &length)
            }
        }
        guard status == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
