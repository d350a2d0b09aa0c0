import Foundation
import Testing
import TestSupport

extension KafkaCommandTests {
    @Suite struct ProduceCommandTests {
        /// 40 keyed events, with a truncated object on line 7 and an array on line 20.
        static func eventsWithTwoBadLines() -> (text: String, good: [(id: String, x: Int)]) {
            var lines: [String] = []
            var good: [(String, Int)] = []
            var next = 0
            for lineNumber in 1...42 {
                if lineNumber == 7 {
                    lines.append(#"{"id":"broken","x":"#)
                } else if lineNumber == 20 {
                    lines.append("[1, 2, 3]")
                } else {
                    lines.append(#"{"id":"e\#(next)","x":\#(next * 10),"label":\#(next % 2 == 0),"note":"a, \"quoted\" é"}"#)
                    good.append(("e\(next)", next * 10))
                    next += 1
                }
            }
            return (lines.joined(separator: "\n") + "\n", good)
        }

        @Test(arguments: CommandBrokerKind.available)
        func jsonlRoundTripSkipsBadLines(kind: CommandBrokerKind) throws {
            let topic = uniqueTopic("events")
            let broker = try CommandBroker(kind, topics: [(topic, 3)])
            defer { broker.stop() }
            let (text, good) = Self.eventsWithTwoBadLines()
            let file = try temporaryFile(text, suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: file) }

            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic, "--file", file, "--key-field", "id"])
            #expect(produced.status == 0, "\(produced.stderr)")
            #expect(produced.stderr.contains("line 7: invalid JSON"))
            #expect(produced.stderr.contains("line 20: expected a JSON object, found an array"))
            #expect(produced.stderr.contains("sent 40 records, skipped 2 bad lines"))

            let read = try DriftlineBinary.run(
                ["subscribe", "--brokers", broker.bootstrapServers, "--topic", topic, "--from-beginning",
                 "--max", "40"])
            #expect(read.status == 0, "\(read.stderr)")
            let records = try jsonLines(read.stdout)
            #expect(records.count == 40)
            var byKey: [String: [String: Any]] = [:]
            for record in records {
                let key = try #require(record["key"] as? String)
                byKey[key] = try #require(record["value"] as? [String: Any], "value is not embedded JSON")
                #expect(record["topic"] as? String == topic)
                #expect(record["offset"] is Int)
            }
            #expect(byKey.count == 40)
            for event in good {
                let value = try #require(byKey[event.id], "missing \(event.id)")
                #expect(value["id"] as? String == event.id)
                #expect(value["x"] as? Int == event.x)
                #expect(value["note"] as? String == "a, \"quoted\" é")
            }
        }

        @Test func strictStopsAtTheFirstBadLine() throws {
            let topic = uniqueTopic("strict")
            let broker = try CommandBroker(.embedded, topics: [(topic, 2)])
            defer { broker.stop() }
            let lines = (0..<5).map { #"{"n":\#($0)}"# } + ["{oops}"] + (5..<10).map { #"{"n":\#($0)}"# }
            let file = try temporaryFile(lines.joined(separator: "\n"), suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: file) }

            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic, "--file", file, "--strict"])
            #expect(produced.status != 0)
            #expect(produced.stderr.contains("line 6: invalid JSON"))
            #expect(produced.stderr.contains("sent 5 records, skipped 1 bad lines"))
            #expect(produced.stderr.contains("stopped at line 6"))

            let read = try DriftlineBinary.run(
                ["subscribe", "--brokers", broker.bootstrapServers, "--topic", topic, "--from-beginning",
                 "--idle-timeout", "2"])
            #expect(read.status == 0, "\(read.stderr)")
            let numbers = try jsonLines(read.stdout).compactMap { ($0["value"] as? [String: Any])?["n"] as? Int }
            #expect(numbers.sorted() == Array(0..<5))
        }

        @Test func csvRowsBecomeJSONObjects() throws {
            let topic = uniqueTopic("csv")
            let broker = try CommandBroker(.embedded, topics: [(topic, 2)])
            defer { broker.stop() }
            let csv = #"""
                id,amount,country,comment
                u1,12.5,NL,"hello, world"
                u2,-3,DE,
                u3,1e3,FR,"say ""hi"""
                u4,7,only three
                u5,0,BE,plain

                """#
            let file = try temporaryFile(csv, suffix: ".csv")
            defer { try? FileManager.default.removeItem(atPath: file) }

            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic, "--file", file, "--key-field", "id"])
            #expect(produced.status == 0, "\(produced.stderr)")
            #expect(produced.stderr.contains("line 5: expected 4 fields as in the header, found 3"))
            #expect(produced.stderr.contains("sent 4 records, skipped 1 bad lines"))

            let read = try DriftlineBinary.run(
                ["subscribe", "--brokers", broker.bootstrapServers, "--topic", topic, "--from-beginning", "--max", "4"])
            #expect(read.status == 0, "\(read.stderr)")
            var byKey: [String: [String: Any]] = [:]
            for record in try jsonLines(read.stdout) {
                byKey[try #require(record["key"] as? String)] = record["value"] as? [String: Any]
            }
            #expect(byKey.keys.sorted() == ["u1", "u2", "u3", "u5"])
            #expect(byKey["u1"]?["amount"] as? Double == 12.5)
            #expect(byKey["u1"]?["comment"] as? String == "hello, world")
            #expect(byKey["u2"]?["amount"] as? Int == -3)
            #expect(byKey["u2"]?["comment"] is NSNull)
            #expect(byKey["u3"]?["amount"] as? Double == 1000)
            #expect(byKey["u3"]?["comment"] as? String == #"say "hi""#)
            #expect(byKey["u5"]?["country"] as? String == "BE")
        }

        @Test(
            .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat"), "needs /usr/bin/kcat"),
            arguments: CommandBrokerKind.available)
        func kcatReadsWhatProduceSent(kind: CommandBrokerKind) throws {
            let topic = uniqueTopic("interop")
            let broker = try CommandBroker(kind, topics: [(topic, 2)])
            defer { broker.stop() }
            let lines = (0..<20).map { #"{"k":"key\#($0)","v":\#($0)}"# }
            let produced = try DriftlineBinary.run(
                ["produce", "--brokers", broker.bootstrapServers, "--topic", topic, "--key-field", "k"],
                input: lines.joined(separator: "\n") + "\n")
            #expect(produced.status == 0, "\(produced.stderr)")
            #expect(produced.stderr.contains("sent 20 records, skipped 0 bad lines"))

            // kcat loads the librdkafka on LD_LIBRARY_PATH, inherited from this process.
            let consumed = try runProcess(
                "/usr/bin/kcat",
                ["-C", "-b", broker.bootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\\t%s\\n"])
            #expect(consumed.status == 0, "\(consumed.stderr)")
            let got = Set(consumed.stdout.split(separator: "\n").map(String.init))
            #expect(got == Set((0..<20).map { "key\($0)\t" + lines[$0] }))
        }

        @Test func produceToABrokerThatIsDownFails() throws {
            let port = try FreePort.next()
            let lines = (0..<5).map { #"{"n":\#($0)}"# }.joined(separator: "\n")
            let result = try DriftlineBinary.run(
                ["produce", "--brokers", "127.0.0.1:\(port)", "--topic", "nowhere", "--delivery-timeout", "2"],
                input: lines)
            #expect(!result.timedOut)
            #expect(result.status != 0)
            #expect(result.stderr.contains("sent 0 records"))
            #expect(result.stderr.contains("5 of 5 records were not delivered"))
        }
    }
}
