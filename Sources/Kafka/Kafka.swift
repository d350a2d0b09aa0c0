/// The `Kafka` module: Swift types over librdkafka. Every C call sits behind internal types in
/// `RDKafka/`; the public names here are Swift names. It knows nothing about machine learning.
public enum KafkaModule {}
