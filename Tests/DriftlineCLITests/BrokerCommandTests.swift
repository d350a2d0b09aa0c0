import Foundation
import Testing
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
    }
}
