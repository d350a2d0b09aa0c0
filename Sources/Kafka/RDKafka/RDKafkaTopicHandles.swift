import CRdKafka
import Synchronization

/// `rd_kafka_topic_t` handles by topic name, created on first use and kept for the producer's
/// life. Producing by handle skips librdkafka's per-call topic lookup and reference counting
/// (`rd_kafka_produceva` with a topic *name* looks the topic up under the client lock for every
/// record), which measured as the largest cost of the Swift produce path.
///
/// `@unchecked Sendable`: the handles are only read after insertion under the mutex, and
/// librdkafka's topic handles are thread-safe.
final class RDKafkaTopicHandles: @unchecked Sendable {
    private let handles = Mutex<[String: OpaquePointer]>([:])
    private let client: RDKafkaClient

    init(client: RDKafkaClient) {
        self.client = client
    }

    /// The handle for `name`, or nil when librdkafka refuses the name (the caller then
    /// produces by name and gets librdkafka's own error).
    func handle(_ name: String) -> OpaquePointer? {
        handles.withLock { handles in
            if let handle = handles[name] { return handle }
            guard let handle = rd_kafka_topic_new(client.handle, name, nil) else { return nil }
            handles[name] = handle
            return handle
        }
    }

    /// Releases every handle; call before the client handle is destroyed.
    func destroyAll() {
        handles.withLock { handles in
            for name in handles.keys.sorted() { rd_kafka_topic_destroy(handles[name]) }
            handles.removeAll()
        }
    }
}
