import ArgumentParser
import CKafkaReferenceLoop
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// `driftline bench transport`: the Swift Kafka layer against plain C loops over librdkafka,
/// same broker, same settings, same run.
struct BenchTransport: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Produce and consume rates of the Swift Kafka layer against plain C loops.",
        discussion: """
            Starts an embedded broker in this process and, for each record size, produces \
            the records with the C reference loop (CKafkaReferenceLoop) and with \
            KafkaProducer, then reads them back with the C loop and with KafkaConsumer \
            (plain assignment, all partitions, from the beginning; --consumer-api picks the \
            read path). Both sides get the very \
            same librdkafka properties (printed at the start). Each measurement runs from the \
            first send (or receive) to the last delivery report (or record).

            The table shows msgs/s and MB/s (payload bytes) for each side and the ratio \
            Swift/C; with --repeat N it shows the median of N runs. It also shows records per \
            second of process CPU time (user + system, all threads including the in-process \
            broker), which is steadier than the wall clock on a busy machine. Build with -c \
            release.

            The embedded broker keeps only 5 MiB per partition, dropping older records, so the \
            default number of partitions is chosen per size to hold all records.

            Examples:
              swift build -c release && .build/release/driftline bench transport
              driftline bench transport --records 200000 --sizes 100 --repeat 1
            """
    )

    @Option(help: "Records per measurement.")
    var records = 1_000_000

    @Option(
        help: ArgumentHelp("Record sizes in bytes, comma-separated.", valueName: "bytes,..."),
        transform: { text in
            try text.split(separator: ",").map { part in
                guard let size = Int(part), size > 0 else { throw ValidationError("bad size '\(part)'") }
                return size
            }
        })
    var sizes: [Int] = [100, 1000]

    @Option(help: "Partitions per topic (default: enough for the broker to keep every record).")
    var partitions: Int?

    @Option(name: .customLong("repeat"), help: "Runs per measurement; the table shows medians.")
    var runs = 3

    /// Which KafkaConsumer read path the Swift side measures.
    enum ConsumerAPI: String, ExpressibleByArgument, CaseIterable {
        /// `poll(maxRecords:timeout:_:)`: records lent in place, no copy.
        case view
        /// `poll(maxRecords:timeout:)`: owned `KafkaConsumerRecord`s (key and value copied).
        case record
    }

    @Option(help: "Swift read path: view (records lent in place) or record (owned copies).")
    var consumerAPI: ConsumerAPI = .view

    /// Which loops to run; one side alone is for profilers (`perf stat`) to attribute costs.
    enum Side: String, ExpressibleByArgument, CaseIterable {
        case both, c, swift
    }

    @Option(help: ArgumentHelp("Run only one side (for profiling).", visibility: .hidden))
    var side: Side = .both

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("Override a librdkafka property for both sides (repeatable).", valueName: "key=value"))
    var properties: [LibrdkafkaProperty] = []

    mutating func validate() throws {
        guard records > 0, runs > 0 else { throw ValidationError("--records and --repeat must be positive") }
        if let partitions, partitions <= 0 { throw ValidationError("--partitions must be positive") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-bench") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        var overrides: [String: String] = [:]
        for property in properties { overrides[property.key] = property.value }
        StandardError.line(
            "bench transport: \(records) records per measurement, sizes \(sizes.map(String.init).joined(separator: ",")) B, "
                + "\(runs) run\(runs == 1 ? "" : "s"), Swift consumer API \(consumerAPI.rawValue), embedded broker, "
                + "librdkafka \(Librdkafka.version)")
        #if DEBUG
        StandardError.line("warning: this is a debug build; build with `swift build -c release` for real figures")
        #endif
        var rows: [Row] = []
        for size in sizes {
            let partitionCount = partitions ?? Self.partitionsToKeep(records: records, size: size)
            var samples = Samples()
            for run in 1...runs {
                try measure(size: size, partitions: partitionCount, overrides: overrides, run: run, into: &samples)
            }
            rows.append(Row(size: size, partitions: partitionCount, direction: "produce", c: samples.cProduce, swift: samples.swiftProduce))
            rows.append(Row(size: size, partitions: partitionCount, direction: "consume", c: samples.cConsume, swift: samples.swiftConsume))
        }
        print(Self.table(rows, records: records))
    }

    /// Partitions so that each holds at most ~4 MiB (the mock keeps 5 MiB per partition).
    static func partitionsToKeep(records: Int, size: Int) -> Int {
        let bytes = records * (size + 80)
        return Swift.max(4, (bytes + (4 << 20) - 1) / (4 << 20))
    }

    /// One measurement: wall-clock rate, and records per second of process CPU time (all
    /// threads, the in-process broker's included), which a machine shared with other work
    /// disturbs far less than the wall clock.
    private struct Measurement {
        var rate: Double
        var cpuRate: Double
    }

    private struct Samples {
        var cProduce: [Measurement] = [], swiftProduce: [Measurement] = []
        var cConsume: [Measurement] = [], swiftConsume: [Measurement] = []
    }

    private struct Row {
        var size: Int
        var partitions: Int
        var direction: String
        var c: [Measurement]
        var swift: [Measurement]
    }

    /// Runs `body` (which returns a wall-clock rate) and adds the CPU rate over its whole call.
    private func timed(_ body: () throws -> Double) rethrows -> Measurement {
        let before = Self.processCPUSeconds()
        let rate = try body()
        let cpu = Self.processCPUSeconds() - before
        return Measurement(rate: rate, cpuRate: Double(records) / cpu)
    }

    /// User plus system CPU time of this process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// One run for one size: a fresh broker, C and Swift producing to their own topics, then
    /// C and Swift reading them back. Rates in records per second.
    private func measure(
        size: Int, partitions: Int, overrides: [String: String], run: Int, into samples: inout Samples
    ) throws {
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        let cTopic = "bench-c-\(size)", swiftTopic = "bench-swift-\(size)"
        try broker.createTopic(cTopic, partitions: partitions)
        try broker.createTopic(swiftTopic, partitions: partitions)

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.clientID = "driftline-bench"
        producerConfiguration.properties = overrides
        let producerProperties = producerConfiguration.librdkafkaProperties
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: broker.bootstrapServers, groupID: "driftline-bench")
        consumerConfiguration.clientID = "driftline-bench"
        consumerConfiguration.properties = overrides
        let consumerProperties = consumerConfiguration.librdkafkaProperties
        if run == 1 && size == sizes.first {
            StandardError.line("producer properties (both sides): \(Self.describe(producerProperties))")
            StandardError.line("consumer properties (both sides): \(Self.describe(consumerProperties))")
        }

        // Odd runs measure C first, even runs Swift first, so neither side always gets the
        // warmer (or the busier) moment.
        let cFirst = run % 2 == 1
        let zero = Measurement(rate: .nan, cpuRate: .nan)
        let runC = side != .swift, runSwift = side != .c
        var cProduce = zero, swiftProduce = zero, cConsume = zero, swiftConsume = zero
        for isC in cFirst ? [true, false] : [false, true] {
            if isC {
                guard runC else { continue }
                cProduce = try timed { try Self.referenceProduce(producerProperties, topic: cTopic, records: records, size: size) }
            } else {
                guard runSwift else { continue }
                swiftProduce = try timed { try Self.swiftProduce(producerConfiguration, topic: swiftTopic, records: records, size: size) }
            }
        }
        for isC in cFirst ? [true, false] : [false, true] {
            if isC {
                guard runC else { continue }
                cConsume = try timed { try Self.referenceConsume(consumerProperties, topic: cTopic, records: records) }
            } else {
                guard runSwift else { continue }
                swiftConsume = try timed {
                    try Self.swiftConsume(consumerConfiguration, topic: swiftTopic, records: records, api: consumerAPI)
                }
            }
        }
        samples.cProduce.append(cProduce)
        samples.swiftProduce.append(swiftProduce)
        samples.cConsume.append(cConsume)
        samples.swiftConsume.append(swiftConsume)
        StandardError.line(
            "run \(run), \(size) B, \(partitions) partitions: "
                + "produce C \(count(cProduce.rate))/s Swift \(count(swiftProduce.rate))/s "
                + "(per CPU-s C \(count(cProduce.cpuRate)) Swift \(count(swiftProduce.cpuRate))); "
                + "consume C \(count(cConsume.rate))/s Swift \(count(swiftConsume.rate))/s "
                + "(per CPU-s C \(count(cConsume.cpuRate)) Swift \(count(swiftConsume.cpuRate)))")
    }

    // MARK: - Swift side

    private static func swiftProduce(
        _ configuration: KafkaProducerConfiguration, topic: String, records: Int, size: Int
    ) throws -> Double {
        let producer = try KafkaProducer(configuration: configuration)
        defer { producer.close() }
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        var key = [UInt8](repeating: 0, count: 24)
        let start = ContinuousClock.now
        try payload.withUnsafeBytes { value in
            try key.withUnsafeMutableBytes { keyBuffer in
                for index in 0..<records {
                    let keyLength = writeDecimal(index, into: keyBuffer)
                    try producer.enqueue(
                        topic: topic, key: UnsafeRawBufferPointer(rebasing: keyBuffer[0..<keyLength]), value: value)
                }
            }
        }
        while producer.deliveryCounts.total < records {
            do {
                try producer.flush(timeout: .milliseconds(50))
            } catch {
                if error.name != "_TIMED_OUT" { throw error }
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        let counts = producer.deliveryCounts
        guard counts.failed == 0 else {
            throw CommandFailure("Swift produce: \(counts.failed) records not delivered: \(producer.lastError.map(String.init(describing:)) ?? "")")
        }
        return Double(records) / seconds
    }

    private static func swiftConsume(
        _ configuration: KafkaConsumerConfiguration, topic: String, records: Int, api: ConsumerAPI
    ) throws -> Double {
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { try? consumer.close() }
        guard let found = try consumer.metadata().topic(topic) else { throw CommandFailure("topic \(topic) not found") }
        try consumer.assign(found.partitions.map { KafkaTopicPartitionOffset(topic: topic, partition: $0.id, offset: .beginning) })
        var received = 0
        var checksum = 0
        var start: ContinuousClock.Instant?
        var last = ContinuousClock.now
        while received < records {
            // Like the C loop, the clock starts when the first record arrives: take it alone.
            let limit = start == nil ? 1 : Swift.min(10_000, records - received)
            let count: Int
            switch api {
            case .view:
                count = try consumer.poll(maxRecords: limit, timeout: .milliseconds(100)) { record in
                    checksum &+= Int(record.value?.first ?? 0)
                }
            case .record:
                let batch = try consumer.poll(maxRecords: limit, timeout: .milliseconds(100))
                for record in batch { checksum &+= Int(record.value.first ?? 0) }
                count = batch.count
            }
            if count == 0 {
                if (ContinuousClock.now - last) > .seconds(30) {
                    throw CommandFailure("Swift consume timed out after \(received) of \(records) records")
                }
                continue
            }
            if start == nil { start = ContinuousClock.now }
            received += count
            last = ContinuousClock.now
        }
        precondition(checksum != -1)
        return Double(received) / (last - start!).seconds
    }

    /// Writes `value` in decimal into `buffer`; returns the number of bytes.
    private static func writeDecimal(_ value: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var digits = 0
        var rest = value
        repeat {
            digits += 1
            rest /= 10
        } while rest > 0
        rest = value
        for position in stride(from: digits - 1, through: 0, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return digits
    }

    // MARK: - C side

    private static func referenceProduce(_ properties: [String: String], topic: String, records: Int, size: Int) throws -> Double {
        var result = dl_reference_result()
        let status = withCProperties(properties) { keys, values, count in
            dl_reference_produce(keys, values, count, topic, Int64(records), Int32(size), &result)
        }
        let error = referenceError(&result)
        guard status == 0, result.failed == 0 else {
            throw CommandFailure("C produce failed: \(error.isEmpty ? "\(result.failed) records not delivered" : error)")
        }
        return Double(result.messages) / result.seconds
    }

    private static func referenceConsume(_ properties: [String: String], topic: String, records: Int) throws -> Double {
        var result = dl_reference_result()
        let status = withCProperties(properties) { keys, values, count in
            dl_reference_consume(keys, values, count, topic, Int64(records), 30_000, &result)
        }
        guard status == 0 else { throw CommandFailure("C consume failed: \(referenceError(&result))") }
        return Double(result.messages) / result.seconds
    }

    private static func referenceError(_ result: inout dl_reference_result) -> String {
        withUnsafeBytes(of: &result.error) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The properties as two C string arrays, in sorted key order.
    private static func withCProperties<R>(
        _ properties: [String: String],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>, Int32) -> R
    ) -> R {
        let keys = properties.keys.sorted()
        let cKeys = keys.map { UnsafePointer(strdup($0)) }
        let cValues = keys.map { UnsafePointer(strdup(properties[$0]!)) }
        defer {
            for pointer in cKeys + cValues { free(UnsafeMutablePointer(mutating: pointer)) }
        }
        return cKeys.withUnsafeBufferPointer { k in
            cValues.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!, Int32(keys.count)) }
        }
    }

    // MARK: - Report

    private static func describe(_ properties: [String: String]) -> String {
        properties.keys.sorted().filter { $0 != "bootstrap.servers" }.map { "\($0)=\(properties[$0]!)" }
            .joined(separator: " ")
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func table(_ rows: [Row], records: Int) -> String {
        let header = [
            "size", "partitions", "direction", "C msgs/s", "C MB/s", "Swift msgs/s", "Swift MB/s", "Swift/C",
            "C msgs/CPU-s", "Swift msgs/CPU-s", "Swift/C (CPU)",
        ]
        var lines: [[String]] = [header]
        for row in rows {
            let c = median(row.c.map(\.rate)), swift = median(row.swift.map(\.rate))
            let cCPU = median(row.c.map(\.cpuRate)), swiftCPU = median(row.swift.map(\.cpuRate))
            lines.append([
                "\(row.size) B", "\(row.partitions)", row.direction,
                count(c), megabytes(c, row.size), count(swift), megabytes(swift, row.size),
                ratio(swift, c), count(cCPU), count(swiftCPU), ratio(swiftCPU, cCPU),
            ])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max()! }
        return lines.map { line in
            line.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column < 3 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

private func count(_ value: Double) -> String { value.isFinite ? formatCount(Int(value)) : "-" }
private func megabytes(_ rate: Double, _ size: Int) -> String {
    rate.isFinite ? format1(rate * Double(size) / 1e6) : "-"
}
private func ratio(_ a: Double, _ b: Double) -> String { (a / b).isFinite ? format2(a / b) : "-" }

/// Two decimal places.
private func format2(_ value: Double) -> String {
    let scaled = Int((value * 100).rounded())
    let fraction = scaled % 100
    return "\(scaled / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
}
