import Foundation
import Kafka
import Testing
import TestSupport

extension KafkaBrokerTests {
    /// Records written by kcat are read by our consumer (keys, values, headers) and records we
    /// write are read by `kcat -C -e`. kcat links the librdkafka found at run time, so in the
    /// Tansu run it inherits `LD_LIBRARY_PATH` (2.16) from this process.
    @Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat"), "needs /usr/bin/kcat"))
    struct KcatInteropTests {
        @Test func embedded() async throws { try await withBroker(.embedded, Self.interop) }

        @Test(.enabled(if: BrokerKind.tansuUsable, "needs DRIFTLINE_TANSU and librdkafka >= 2.10"))
        func tansu() async throws { try await withBroker(.tansu, Self.interop) }

        static func interop(_ broker: TestBroker) async throws {
            // kcat produces, we consume.
            let fromKcat = uniqueName("from-kcat")
            try broker.createTopic(fromKcat, partitions: 2)
            let input = (0..<20).map { "key\($0):value\($0)" }.joined(separator: "\n") + "\n"
            let produced = try runKcat(
                ["-P", "-b", broker.bootstrapServers, "-t", fromKcat, "-K", ":", "-H", "source=kcat"],
                input: input)
            #expect(produced.status == 0, "kcat -P: \(produced.stderr)")

            let consumer = try KafkaConsumer(configuration: broker.consumerConfiguration(group: uniqueName("g")))
            defer { try? consumer.close() }
            try consumer.subscribe(topics: [fromKcat])
            let records = try await consume(consumer, count: 20)
            #expect(records.count == 20)
            let pairs = Set(records.map { "\($0.keyString ?? "-"):\($0.valueString)" })
            #expect(pairs == Set((0..<20).map { "key\($0):value\($0)" }))
            #expect(records.allSatisfy { $0.headers == [KafkaHeader(name: "source", string: "kcat")] })

            // We produce, kcat consumes to the end.
            let toKcat = uniqueName("to-kcat")
            try broker.createTopic(toKcat, partitions: 2)
            let producer = try KafkaProducer(configuration: broker.producerConfiguration())
            defer { producer.close() }
            for index in 0..<20 {
                try producer.enqueue(topic: toKcat, key: "k\(index)", value: "v\(index)")
            }
            try await producer.flush(timeout: .seconds(30))
            let consumed = try runKcat(
                ["-C", "-b", broker.bootstrapServers, "-t", toKcat, "-o", "beginning", "-e", "-q",
                 "-f", "%k=%s\\n"])
            #expect(consumed.status == 0, "kcat -C: \(consumed.stderr)")
            let lines = Set(consumed.stdout.split(separator: "\n").map(String.init))
            #expect(lines == Set((0..<20).map { "k\($0)=v\($0)" }))
        }
    }
}

/// Runs kcat with `arguments`, feeding `input` on stdin; waits for it to exit.
func runKcat(_ arguments: [String], input: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    process.arguments = arguments
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
