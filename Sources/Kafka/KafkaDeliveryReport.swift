/// The outcome of producing one record: where it landed, or why it did not.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The record's offset, or `.invalid` when delivery failed.
    public var offset: KafkaOffset
    /// Set when the record was not delivered (e.g. `_MSG_TIMED_OUT`).
    public var error: KafkaError?
    /// The tag given to `enqueue(..., deliveryTag:)`, nil for records enqueued without one.
    public var deliveryTag: UInt64? = nil

    public init(topic: String, partition: Int32, offset: KafkaOffset, error: KafkaError?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
    }
}

/// Running totals of delivery reports served so far by a producer.
public struct KafkaDeliveryCounts: Sendable, Hashable {
    public var delivered: Int
    public var failed: Int

    public init(delivered: Int, failed: Int) {
        self.delivered = delivered
        self.failed = failed
    }

    /// All reports served, delivered or failed.
    public var total: Int { delivered + failed }
}
