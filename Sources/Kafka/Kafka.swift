/// The `Kafka` module: Swift types over librdkafka. Every C call sits behind internal types in
/// `RDKafka/`; the public names here are Swift names. It knows nothing about machine learning.
///
/// - `KafkaProducer` (`KafkaProducerConfiguration`): `send` awaits a delivery report,
///   `enqueue` + `deliveryCounts`/`deliveryHandler` is the fast path; transactions.
/// - `KafkaConsumer` (`KafkaConsumerConfiguration`): group membership with rebalance events,
///   `poll` / `batches` / `records`, manual offset store and commit, seek, pause, lag.
/// - `KafkaAdmin`: topics and metadata. `EmbeddedBroker`: librdkafka's mock cluster in-process.
/// - `KafkaError`: librdkafka's code, name, message and retriable/fatal/abort classification.
///
/// Blocking librdkafka calls never run on Swift's cooperative pool: the producer serves its
/// callbacks on a dedicated thread, the consumer's async sequences wait on their own dispatch
/// queue, and the blocking calls have `async` overloads that run on Dispatch threads.
public enum KafkaModule {}
