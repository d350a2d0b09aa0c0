import CRdKafka

/// A consumer's group identity (group id, generation, member id) for
/// `KafkaProducer.sendOffsetsToTransaction`: the broker fences zombies with it.
///
/// `@unchecked Sendable`: the wrapped `rd_kafka_consumer_group_metadata_t` is immutable after
/// creation and destroyed only in `deinit`.
public final class KafkaConsumerGroupMetadata: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(pointer)
    }
}
