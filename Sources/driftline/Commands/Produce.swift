import ArgumentParser
import Kafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `driftline produce`: feeds events from a file or stdin into a topic, one record per line.
struct Produce: AsyncParsableCommand, Sendable {
    static let configuration = CommandConfiguration(
        abstract: "Feed events from a JSONL or CSV file (or stdin) into a topic.",
        discussion: """
            Every line is checked before it is sent. JSONL: one JSON object per line, sent \
            byte for byte. CSV: a header row, then one record per row, turned into a JSON \
            object with the header's names (numbers as numbers, empty fields as null).

            A bad line is reported on stderr with its line number and the reason, and skipped; \
            with --strict the run stops there instead (exit 1) and nothing after it is sent.

            Records are queued without waiting for each one; the command then waits for every \
            delivery report. On SIGINT or SIGTERM it stops reading, still waits for the \
            reports of what it queued, prints the summary and exits 130 (a second signal \
            exits at once). Only records the broker acknowledged are counted as sent; if any \
            record was not delivered the command exits 1 and says how many.

            Examples:
              driftline produce --brokers 127.0.0.1:9092 --topic events --file events.jsonl
              driftline produce --brokers $BROKERS --topic events --key-field id < ev.jsonl
              driftline produce --brokers $BROKERS --topic events --file rows.csv --strict
              driftline produce --topology topologies/quickstart.yaml --brokers $BROKERS \\
                  --file events.jsonl

            With --topology the records go to its events topic, keyed by its `schema.key` as \
            `driftline up --feed` keys them, with its `kafka:` settings (--topic and \
            --key-field override).
            """
    )

    enum InputFormat: String, ExpressibleByArgument, CaseIterable {
        case jsonl, csv
    }

    @OptionGroup var kafka: KafkaClientOptions

    @Option(help: "The topic to write to (default with --topology: its events topic).")
    var topic: String?

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Read events from this file instead of stdin.", valueName: "path"))
    var file: String?

    @Option(help: "Input format. Default: csv for a .csv file, jsonl otherwise.")
    var format: InputFormat?

    @Option(
        help: ArgumentHelp(
            "Use this field of each event as the record key (same key, same partition; default for a topology's events topic: its schema.key).",
            valueName: "field"))
    var keyField: String?

    @Flag(help: "Stop at the first bad line (exit 1) instead of skipping it.")
    var strict = false

    @Option(
        help: ArgumentHelp(
            "Seconds a record may wait for the broker before it counts as not delivered (message.timeout.ms).",
            valueName: "seconds"))
    var deliveryTimeout: Double = 30

    mutating func validate() throws {
        guard deliveryTimeout > 0 else { throw ValidationError("--delivery-timeout must be positive") }
        guard topic != nil || kafka.topology != nil else { throw ValidationError("give --topic name or --topology file") }
    }

    func run() async throws {
        try await DetachedThread.run(name: "driftline-produce") { try self.execute() }
    }

    /// The command's work, on its own thread: it blocks (librdkafka, I/O, signals).
    func execute() throws {
        let target = try kafka.target()
        guard let topic = topic ?? target.topology?.topics.events.name else {
            throw ValidationError("give --topic name or --topology file")
        }
        let descriptor: Int32
        if let file {
            descriptor = open(file, O_RDONLY)
            guard descriptor >= 0 else {
                throw CommandFailure("cannot open \(file): \(String(cString: strerror(errno)))")
            }
        } else {
            descriptor = 0
        }
        defer { if file != nil { close(descriptor) } }
        var info = stat()
        let totalBytes: Int? = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil

        let inputFormat = format ?? ((file ?? "").lowercased().hasSuffix(".csv") ? .csv : .jsonl)
        // Events keyed as `up --feed` keys them; another of the topology's topics only by --key-field.
        let keyField = keyField ?? (topic == target.topology?.topics.events.name ? target.topology?.schema.key : nil)
        switch inputFormat {
        case .jsonl:
            var decoder = JSONLinesDecoder(keyField: keyField)
            try feed(descriptor: descriptor, totalBytes: totalBytes, decoder: &decoder, topic: topic, target: target)
        case .csv:
            var decoder = CSVDecoder(keyField: keyField)
            try feed(descriptor: descriptor, totalBytes: totalBytes, decoder: &decoder, topic: topic, target: target)
        }
    }

    private func feed(
        descriptor: Int32, totalBytes: Int?, decoder: inout some EventLineDecoder, topic: String,
        target: KafkaClientTarget
    ) throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: target.bootstrapServers)
        configuration.clientID = "driftline-produce"
        configuration.messageTimeoutMilliseconds = Int(deliveryTimeout * 1000)
        configuration.properties = target.producerProperties
        let producer = try KafkaProducer(configuration: configuration)
        let counters = FeedCounters()
        let progress: ProgressBar? =
            StandardError.isTerminal
            ? ProgressBar(totalBytes: totalBytes) {
                ProgressBar.Status(
                    bytesDone: counters.bytesRead.load(ordering: .relaxed),
                    records: producer.deliveryCounts.delivered,
                    skipped: counters.skipped.load(ordering: .relaxed))
            } : nil
        let start = ContinuousClock.now

        var reader = LineReader(descriptor: descriptor)
        defer { reader.deallocate() }
        var enqueued = 0
        var skipped = 0
        var notQueued = 0
        var stoppedAt: Int?
        let strict = strict
        let shutdown = ShutdownSignal()
        var interruptedAt: Int?
        let outcome = reader.forEachLine(onRead: { counters.bytesRead.store($0, ordering: .relaxed) }) {
            (lineNumber, line) -> Bool in
            if shutdown.isRequested {
                interruptedAt = lineNumber
                return false
            }
            let isRecord: Bool
            do throws(BadLine) {
                isRecord = try decoder.decode(line)
            } catch {
                skipped += 1
                counters.skipped.store(skipped, ordering: .relaxed)
                StandardError.line("line \(lineNumber): \(error.reason)" + (strict ? "" : " (skipped)"))
                if strict {
                    stoppedAt = lineNumber
                    return false
                }
                return true
            }
            guard isRecord else { return true }
            do throws(KafkaError) {
                let key = decoder.key
                let failure: KafkaError? = decoder.value.withUnsafeBytes { value in
                    do throws(KafkaError) {
                        if let key {
                            try key.withUnsafeBytes { keyBytes in
                                Result { () throws(KafkaError) in try producer.enqueue(topic: topic, key: keyBytes, value: value) }
                            }.get()
                        } else {
                            try producer.enqueue(topic: topic, key: nil, value: value)
                        }
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
                enqueued += 1
            } catch {
                notQueued += 1
                StandardError.line("line \(lineNumber): not sent: \(error)")
                if error.isFatal || strict {
                    stoppedAt = lineNumber
                    return false
                }
            }
            return true
        }
        counters.bytesRead.store(totalBytes ?? 0, ordering: .relaxed)

        // Wait for every delivery report: the broker's acknowledgement is what counts as sent.
        let deadline = ContinuousClock.now + .seconds(deliveryTimeout + 10)
        while producer.deliveryCounts.total < enqueued && ContinuousClock.now < deadline {
            do {
                try producer.flush(timeout: .milliseconds(500))
            } catch {
                if error.name != "_TIMED_OUT" { break }
            }
        }
        producer.close(flushTimeout: .zero)
        progress?.finish()
        let elapsed = (ContinuousClock.now - start).seconds
        let delivered = producer.deliveryCounts.delivered
        let notDelivered = enqueued - delivered + notQueued

        let rate = elapsed > 0 ? Double(delivered) / elapsed : 0
        StandardError.line(
            "sent \(delivered) records, skipped \(skipped) bad lines, in \(format3(elapsed)) s (\(Int(rate)) records/s)")
        if case .failed(let code) = outcome {
            throw CommandFailure("reading the input failed: \(String(cString: strerror(code)))")
        }
        if notDelivered > 0 {
            let reason = producer.lastError.map { ": last error: \($0)" } ?? ""
            StandardError.line("error: \(notDelivered) of \(enqueued + notQueued) records were not delivered\(reason)")
        }
        if let stoppedAt {
            StandardError.line("stopped at line \(stoppedAt): nothing after it was sent")
        }
        if let interruptedAt {
            StandardError.line("interrupted by \(shutdown.signalName): line \(interruptedAt) and after were not sent")
            throw ExitCode(130)
        }
        if notDelivered > 0 || stoppedAt != nil { throw ExitCode.failure }
    }
}

/// Counters the progress bar reads while the feed loop runs.
private final class FeedCounters: Sendable {
    let bytesRead = Atomic<Int>(0)
    let skipped = Atomic<Int>(0)
}

/// Three decimal places.
func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
