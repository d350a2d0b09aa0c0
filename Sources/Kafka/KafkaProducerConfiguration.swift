/// How a `KafkaProducer` talks to the cluster. Defaults favour safety (idempotence, acks=all)
/// with enough batching for high throughput on loopback.
public struct KafkaProducerConfiguration: Sendable {
    /// `bootstrap.servers`: "host:port,host:port".
    public var bootstrapServers: String
    /// `client.id`, shown in broker logs.
    public var clientID: String = "driftline"
    /// `enable.idempotence`: no duplicates or reordering from producer retries.
    public var enableIdempotence: Bool = true
    /// `acks`: "all" (default, required by idempotence), "1" or "0".
    public var acks: String = "all"
    /// `linger.ms`: how long to wait to fill a batch.
    public var lingerMilliseconds: Int = 5
    /// `batch.num.messages`: the most records in one batch.
    public var batchNumMessages: Int = 10_000
    /// `batch.size`: the most bytes in one batch.
    public var batchSizeBytes: Int = 1_000_000
    /// `queue.buffering.max.messages`: records buffered locally before `enqueue` waits.
    public var queueBufferingMaxMessages: Int = 1_000_000
    /// `queue.buffering.max.kbytes`: bytes buffered locally before `enqueue` waits.
    public var queueBufferingMaxKilobytes: Int = 1_048_576
    /// `message.timeout.ms`: a record not delivered in this time fails with `_MSG_TIMED_OUT`.
    public var messageTimeoutMilliseconds: Int = 300_000
    /// `compression.codec`: "none", "gzip", "snappy", "lz4", "zstd".
    public var compression: String = "none"
    /// `transactional.id`: set to use `initTransactions` and the transaction calls.
    public var transactionalID: String? = nil
    /// `transaction.timeout.ms`.
    public var transactionTimeoutMilliseconds: Int = 60_000
    /// Any other librdkafka property (SASL, TLS, debug, ...). Wins over the fields above.
    public var properties: [String: String] = [:]

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }

    /// The librdkafka properties this configuration stands for.
    public var librdkafkaProperties: [String: String] {
        var result: [String: String] = [
            "bootstrap.servers": bootstrapServers,
            "client.id": clientID,
            "enable.idempotence": enableIdempotence ? "true" : "false",
            "acks": acks,
            "linger.ms": String(lingerMilliseconds),
            "batch.num.messages": String(batchNumMessages),
            "batch.size": String(batchSizeBytes),
            "queue.buffering.max.messages": String(queueBufferingMaxMessages),
            "queue.buffering.max.kbytes": String(queueBufferingMaxKilobytes),
            "message.timeout.ms": String(messageTimeoutMilliseconds),
            "compression.codec": compression,
        ]
        if let transactionalID {
            result["transactional.id"] = transactionalID
            result["transaction.timeout.ms"] = String(transactionTimeoutMilliseconds)
        }
        result.merge(properties) { _, custom in custom }
        return result
    }
}
