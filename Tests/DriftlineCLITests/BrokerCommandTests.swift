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

        @Test func fixedPortIsRejectedWithAReason() throws {
            let result = try DriftlineBinary.run(["broker", "--port", "9092"], timeout: .seconds(20))
            #expect(result.status != 0)
            #expect(result.stderr.contains("--port"))
            #expect(result.stderr.contains("read the address from the first line of stdout"))
        }
    }
}
