import Kafka

/// Exactly-once: one transactional producer per task (input partition), so the outputs of a
/// task and its input offsets commit or abort together, and a restarted or duplicated instance
/// of the same task fences the older one (same `transactional.id`, newer epoch).
///
/// The transactional id is `PREFIX-TOPIC-PARTITION` (the prefix defaults to
/// `TOPOLOGY-STAGE`); it does not depend on which instance owns the task, which is what makes
/// fencing work across restarts and rebalances.
///
/// Used only on the runner's thread.
final class TaskTransactions {
    private struct Entry {
        let producer: KafkaProducer
        let transactionalID: String
        /// The input offset sent with the last committed transaction.
        var committedNext: Int64?
        /// Records were produced in the open transaction.
        var written = false
    }

    private let configuration: StageRunnerConfiguration
    private let deliveryHandler: @Sendable (KafkaDeliveryReport) -> Void
    private var entries: [KafkaTopicPartition: Entry] = [:]
    /// Transactions committed so far (all tasks).
    private(set) var commits = 0

    init(configuration: StageRunnerConfiguration, deliveryHandler: @escaping @Sendable (KafkaDeliveryReport) -> Void) {
        self.configuration = configuration
        self.deliveryHandler = deliveryHandler
    }

    static func transactionalID(prefix: String, partition: KafkaTopicPartition) -> String {
        "\(prefix)-\(partition.topic)-\(partition.partition)"
    }

    /// Creates the task's producer, registers its transactional id (fencing any older holder
    /// and aborting its open transaction) and begins the first transaction.
    func open(_ partition: KafkaTopicPartition) throws {
        if entries[partition] != nil { return }
        let id = Self.transactionalID(prefix: configuration.transactionalIDPrefix, partition: partition)
        var producerConfiguration = configuration.producer
        producerConfiguration.transactionalID = id
        producerConfiguration.enableIdempotence = true
        // librdkafka requires message.timeout.ms <= transaction.timeout.ms.
        producerConfiguration.messageTimeoutMilliseconds = min(
            producerConfiguration.messageTimeoutMilliseconds, producerConfiguration.transactionTimeoutMilliseconds)
        let producer = try KafkaProducer(configuration: producerConfiguration, deliveryHandler: deliveryHandler)
        do {
            try producer.initTransactions(timeout: configuration.flushTimeout)
            try producer.beginTransaction()
        } catch {
            producer.close(flushTimeout: .zero)
            throw StageFenced.wrapping(error, transactionalID: id)
        }
        entries[partition] = Entry(producer: producer, transactionalID: id)
    }

    /// The producer of an open task; what it is given belongs to the open transaction.
    func producer(for partition: KafkaTopicPartition) -> KafkaProducer? {
        guard let entry = entries[partition] else { return nil }
        if !entry.written { entries[partition]?.written = true }
        return entry.producer
    }

    /// Commits the task's transaction with `next` as its input offset (when it moved, and always
    /// in the closing commit) and, unless `reopen` is false, begins the next one. A failed commit stops the runner: the
    /// transaction is aborted (by the broker's timeout or the successor's `initTransactions`),
    /// so the restart processes its inputs again — nothing is applied twice.
    func commit(
        _ partition: KafkaTopicPartition, next: Int64?, groupMetadata: () throws -> KafkaConsumerGroupMetadata,
        reopen: Bool = true
    ) throws {
        guard var entry = entries[partition] else { return }
        do {
            if let next, next != entry.committedNext || !reopen {
                try entry.producer.sendOffsetsToTransaction(
                    [KafkaTopicPartitionOffset(partition, offset: KafkaOffset(next))], groupMetadata: try groupMetadata(),
                    timeout: configuration.flushTimeout)
            }
            try entry.producer.commitTransaction(timeout: configuration.flushTimeout)
            commits += 1
            if let next { entry.committedNext = next }
            entry.written = false
            entries[partition] = entry
            if reopen { try entry.producer.beginTransaction() }
        } catch {
            throw StageFenced.wrapping(error, transactionalID: entry.transactionalID)
        }
    }

    /// Whether the task's producer has records in its open transaction or offsets to send.
    func hasWork(_ partition: KafkaTopicPartition, next: Int64?) -> Bool {
        guard let entry = entries[partition] else { return false }
        return (next != nil && next != entry.committedNext) || entry.written
    }

    /// Closes the task's producer. Without a prior `commit(reopen: false)` its open transaction
    /// is aborted (lost partitions, failures).
    func close(_ partition: KafkaTopicPartition, abort: Bool) {
        guard let entry = entries.removeValue(forKey: partition) else { return }
        if abort { try? entry.producer.abortTransaction(timeout: .seconds(5)) }
        entry.producer.close(flushTimeout: .seconds(abort ? 1 : 10))
    }

    /// Aborts and closes every task's producer (after a failure).
    func closeAll() {
        for partition in entries.keys.sorted() { close(partition, abort: true) }
    }
}

/// Another instance took over this task's transactional id (or the broker fenced the
/// producer's epoch): this instance stops without committing, and the newer one continues.
public struct StageFenced: Error, Sendable, CustomStringConvertible {
    public var transactionalID: String
    public var underlying: KafkaError

    public var description: String {
        "fenced: another instance now owns transactional id '\(transactionalID)' (\(underlying.name)); "
            + "this instance stops without committing"
    }

    static let fencedNames: Set<String> = ["_FENCED", "PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH"]

    /// `error` as ``StageFenced`` when it is a fencing error, else unchanged.
    static func wrapping(_ error: any Error, transactionalID: String) -> any Error {
        guard let kafka = error as? KafkaError, fencedNames.contains(kafka.name) else { return error }
        return StageFenced(transactionalID: transactionalID, underlying: kafka)
    }
}
