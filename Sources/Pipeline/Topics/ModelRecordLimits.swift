/// Size limits for model documents on the models topic.
///
/// A model document is one complete JSON record (docs/model-document.md): a model with 1M
/// weights is ~25–30 MB of canonical JSON (more with optimizer state), over Kafka's default
/// limit of about 1 MB per record. The models topic, the learner's producer and every reader of
/// the models topic (the state restorer) therefore raise their limits to ``maxBytes``; the
/// other topics keep the defaults.
public enum ModelRecordLimits {
    /// The largest model record (256 MiB): `max.message.bytes` of the models topic, the
    /// learner producer's `message.max.bytes`, and the restorer's fetch limits.
    public static let maxBytes = 256 << 20

    /// Topic config for creating the models topic (unless the topology sets its own).
    public static let topicConfig = ["max.message.bytes": String(maxBytes)]

    /// librdkafka producer settings that let the learner publish documents up to ``maxBytes``.
    public static let producerProperties = ["message.max.bytes": String(maxBytes)]

    /// librdkafka consumer settings for readers of the models topic: one fetch may return a
    /// whole document.
    public static let readerProperties = [
        "fetch.max.bytes": String(maxBytes),
        "max.partition.fetch.bytes": String(maxBytes),
        "receive.message.max.bytes": String(maxBytes + (1 << 20)),
    ]
}
