import Kafka

/// The runner producer's handles of the topics a stage forwards to, found on the runner's
/// thread without a lock: the producer's own lookup by name takes its mutex on every record
/// (~2% of a no-op stage's thread). A stage writes to a handful of topics, so a short array
/// in first-use order, tried from the last hit, beats hashing the name.
///
/// Bound to one producer, which outlives it (the runner's shared producer; the exactly-once
/// task producers come and go with their partitions and keep producing by name).
struct OutputTopicHandles {
    private let producer: KafkaProducer
    private var topics: [KafkaProducerTopic] = []
    private var last = 0

    init(producer: KafkaProducer) {
        self.producer = producer
    }

    /// The handle of `name`, resolved on first use.
    mutating func topic(_ name: String) -> KafkaProducerTopic {
        if last < topics.count, topics[last].name == name { return topics[last] }
        if let index = topics.firstIndex(where: { $0.name == name }) {
            last = index
            return topics[index]
        }
        topics.append(producer.topic(name))
        last = topics.count - 1
        return topics[last]
    }

    /// How many topics are resolved (for tests).
    var count: Int { topics.count }
}
