import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension KafkaCommandTests {
    @Suite struct SubscribeCommandTests {
        @Test func groupCommitsWhatItPrinted() throws {
            let topic = uniqueTopic("grouped")
            let broker = try CommandBroker(.embedded, topics: [(topic, 2)])
            defer { broker.stop() }
            let lines = (0..<10).map { #"{"n":\#($0)}"# }.joined(separator: "\n")
            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic], input: lines)
            #expect(produced.status == 0, "\(produced.stderr)")

            let group = uniqueTopic("group")
            let arguments = [
                "subscribe", "--brokers", broker.bootstrapServers, "--topic", topic, "--group", group,
                "--from-beginning", "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
            ]
            let first = try DriftlineBinary.run(arguments + ["--max", "6"])
            #expect(first.status == 0, "\(first.stderr)")
            let second = try DriftlineBinary.run(arguments + ["--max", "4"])
            #expect(second.status == 0, "\(second.stderr)")
            let numbers = try (jsonLines(first.stdout) + jsonLines(second.stdout)).compactMap {
                ($0["value"] as? [String: Any])?["n"] as? Int
            }
            #expect(numbers.count == 10)
            #expect(numbers.sorted() == Array(0..<10))
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat"), "needs /usr/bin/kcat"))
        func nonJSONValuesAreStringsOrBase64() throws {
            let topic = uniqueTopic("raw")
            let broker = try CommandBroker(.embedded, topics: [(topic, 1)])
            defer { broker.stop() }
            var input = Data("k1:plain text\n".utf8)
            input.append(contentsOf: Array("k2:".utf8) + [0xFF, 0xFE, 0x0A])
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("driftline-raw-\(UUID().uuidString)")
            try input.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let produced = try runProcess(
                "/usr/bin/kcat", ["-P", "-b", broker.bootstrapServers, "-t", topic, "-K", ":", "-H", "source=kcat", "-l", file.path])
            #expect(produced.status == 0, "\(produced.stderr)")

            let read = try DriftlineBinary.run(
                ["subscribe", "--brokers", broker.bootstrapServers, "--topic", topic, "--from-beginning", "--max", "2"])
            #expect(read.status == 0, "\(read.stderr)")
            let records = try jsonLines(read.stdout).sorted { ($0["offset"] as? Int ?? 0) < ($1["offset"] as? Int ?? 0) }
            try #require(records.count == 2)
            #expect(records[0]["key"] as? String == "k1")
            #expect(records[0]["value"] as? String == "plain text")
            #expect(records[0]["value_encoding"] == nil)
            #expect((records[0]["headers"] as? [String: Any])?["source"] as? String == "kcat")
            #expect(records[1]["value"] as? String == Data([0xFF, 0xFE]).base64EncodedString())
            #expect(records[1]["value_encoding"] as? String == "base64")
        }

        @Test func sigtermStopsCleanly() throws {
            let topic = uniqueTopic("watch")
            let broker = try CommandBroker(.embedded, topics: [(topic, 1)])
            defer { broker.stop() }
            let subscriber = try DriftlineProcess(["subscribe", "--brokers", broker.bootstrapServers, "--topic", topic])
            defer { subscriber.stop() }
            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic], input: #"{"alert":true}"#)
            #expect(produced.status == 0, "\(produced.stderr)")
            // Records produced before the subscriber had its assignment are not shown (it
            // starts at the end), so only the clean exit is asserted here.
            usleep(500_000)
            #expect(subscriber.stop() == 0, "\(subscriber.stderr)")
            #expect(subscriber.stderr.contains("stopped on SIGTERM"))
        }
    }
}
