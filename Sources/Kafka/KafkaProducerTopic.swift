/// One topic of one ``KafkaProducer``, resolved once (librdkafka's `rd_kafka_topic_t`), for an
/// owner that produces to the same few topics record after record from one thread: keep it
/// and pass it to ``KafkaProducer/enqueue(to:keyBytes:valueBytes:headers:partition:timestampMilliseconds:deliveryTag:)``
/// instead of the name, which the producer looks up under its lock on every call (~2% of a
/// no-op stage runner's thread).
///
/// Valid for as long as the producer that made it exists; only that producer accepts it.
public struct KafkaProducerTopic: @unchecked Sendable, Hashable {
    /// The topic's name.
    public let name: String
    /// librdkafka's handle, or nil when librdkafka refused the name (the producer then
    /// produces by name and reports librdkafka's own error).
    let handle: OpaquePointer?
    /// The producer that made it.
    let producer: ObjectIdentifier

    init(name: String, handle: OpaquePointer?, producer: ObjectIdentifier) {
        self.name = name
        self.handle = handle
        self.producer = producer
    }

    /// Whether `producer` made this topic.
    public func belongs(to producer: KafkaProducer) -> Bool { self.producer == ObjectIdentifier(producer) }
}
