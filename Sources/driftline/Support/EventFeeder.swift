import Foundation
import Kafka
import OnlineML
import Pipeline
import Synchronization

/// Writes `driftline up`'s input into the events topic: a JSON Lines or CSV file, or a
/// generated drifting stream (`driftline generate`'s). Records are keyed by the schema's key
/// field when the event has it; keyless records go round-robin over the declared partitions
/// (librdkafka's sticky partitioner would pile a burst onto one).
///
/// A JSON line that is not a JSON object (or lacks the key field) is sent as it is, keyless: the
/// transform stage dead-letters what it cannot read, with the reason, as it would a real
/// producer's bad record.
final class EventFeeder: Sendable {
    enum Source: Sendable {
        case file(path: String, format: EventFileFormat)
        case generated(events: Int, driftAt: [Int], seed: UInt64)
    }

    let source: Source
    private let topic: String
    private let partitions: Int?
    private let keyField: String?
    private let producer: KafkaProducer
    /// Events handed to the producer.
    let enqueued = Atomic<Int>(0)
    /// Lines that could not be sent at all (CSV rows that do not parse).
    let skipped = Atomic<Int>(0)
    let finished = Atomic<Bool>(false)
    private let paceStart = Mutex<ContinuousClock.Instant?>(nil)
    private let stopRequested = Atomic<Bool>(false)

    /// Events per second to feed at (nil: as fast as the broker takes them). Pacing also
    /// spreads the record timestamps, i.e. stream time, which drives the learner's punctuations.
    private let rate: Int?
    /// Asked before each event with the number fed so far: false holds the feed back (the
    /// embedded broker keeps only ~5 MiB per partition, so the feed must not run far ahead of
    /// the stages).
    private let mayContinue: (@Sendable (Int) -> Bool)?

    init(source: Source, topology: Topology, bootstrapServers: String, rate: Int? = nil,
         mayContinue: (@Sendable (Int) -> Bool)? = nil) throws {
        self.source = source
        self.rate = rate
        self.mayContinue = mayContinue
        topic = topology.topics.events.name
        partitions = topology.topics.events.partitions
        keyField = topology.schema.key
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.clientID = "driftline-up-feeder"
        configuration.properties.merge(KafkaPropertyScope.producerSettings(topology.kafkaProperties)) { _, new in new }
        producer = try KafkaProducer(configuration: configuration)
    }

    /// Events delivered to the broker.
    var delivered: Int { producer.deliveryCounts.delivered }
    var failed: Int { producer.deliveryCounts.failed }

    func stop() { stopRequested.store(true, ordering: .releasing) }

    /// Feeds everything, then waits for every delivery. Blocks: run it on a thread of its own.
    func run() throws {
        defer { finished.store(true, ordering: .releasing) }
        switch source {
        case .file(let path, let format):
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw CommandFailure("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            defer { Glibc.close(descriptor) }
            switch format {
            case .csv:
                var decoder = CSVDecoder(keyField: keyField)
                try feed(descriptor: descriptor, decoder: &decoder, sendRawOnError: false)
            default:
                var decoder = JSONLinesDecoder(keyField: keyField)
                try feed(descriptor: descriptor, decoder: &decoder, sendRawOnError: true)
            }
        case .generated(let events, let driftAt, let seed):
            var stream = SyntheticStream(
                configuration: .init(drifts: driftAt.map { .concept(at: $0) }), seed: seed)
            for index in 0..<events {
                if stopRequested.load(ordering: .relaxed) { break }
                let event = stream.next()
                let line = event.jsonLine(labelField: "y", idField: "id")
                let key = keyField == "id" ? String(index) : nil
                try send(key: key.map { Array($0.utf8) }, value: Array(line.utf8), index: index)
            }
        }
        while producer.outstandingCount > 0 {
            try? producer.flush(timeout: .milliseconds(500))
            if stopRequested.load(ordering: .relaxed) { break }
        }
    }

    func close() { producer.close(flushTimeout: .seconds(5)) }

    private func feed(descriptor: Int32, decoder: inout some EventLineDecoder, sendRawOnError: Bool) throws {
        var reader = LineReader(descriptor: descriptor)
        defer { reader.deallocate() }
        var index = 0
        var failure: (any Error)?
        _ = reader.forEachLine { (lineNumber, line) -> Bool in
            if stopRequested.load(ordering: .relaxed) { return false }
            do {
                let isRecord: Bool
                do throws(BadLine) {
                    isRecord = try decoder.decode(line)
                } catch {
                    if sendRawOnError {
                        try send(key: nil, value: Array(line), index: index)
                        index += 1
                    } else {
                        skipped.add(1, ordering: .relaxed)
                        StandardError.line("line \(lineNumber): \(error.reason) (skipped)")
                    }
                    return true
                }
                guard isRecord else { return true }
                try send(key: decoder.key, value: decoder.value, index: index)
                index += 1
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
    }

    private func send(key: [UInt8]?, value: [UInt8], index: Int) throws {
        if let rate {
            if paceStart.withLock({ $0 }) == nil { paceStart.withLock { $0 = .now } }
            let due = paceStart.withLock { $0! } + .nanoseconds(Int64(Double(index) / Double(rate) * 1e9))
            let wait = ContinuousClock.now.duration(to: due)
            if wait > .microseconds(500) { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) * 1e-18 + Double(wait.components.seconds)) }
        }
        if let mayContinue {
            while !mayContinue(index) && !stopRequested.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
        let partition: Int32? = key == nil ? partitions.map { Int32(index % $0) } : nil
        try producer.enqueue(topic: topic, key: key, value: value, partition: partition, deliveryTag: 0)
        enqueued.add(1, ordering: .relaxed)
    }
}
