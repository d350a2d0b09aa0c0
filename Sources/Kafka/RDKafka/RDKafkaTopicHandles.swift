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
    private let handles = Mutex<Handles>(Handles())

    /// All handles, and the last one used: producers mostly write one topic at a time, and
    /// comparing a name is cheaper than hashing it.
    private struct Handles {
        var byName: [String: OpaquePointer] = [:]
        var lastName = ""
        var last: OpaquePointer?
    }
    private let client: RDKafkaClient

    init(client: RDKafkaClient) {
        self.client = client
    }

    /// The handle for `name`, or nil when librdkafka refuses the name (the caller then
    /// produces by name and gets librdkafka's own error).
    func handle(_ name: String) -> OpaquePointer? {
        handles.withLock { handles in
            if let last = handles.last, handles.lastName == name { return last }
            let handle: OpaquePointer
            if let known = handles.byName[name] {
                handle = known
            } else {
                guard let created = rd_kafka_topic_new(client.handle, name, nil) else { return nil }
                handles.byName[name] = created
                handle = created
            }
            handles.last = handle
            handles.lastName = name
            return handle
        }
    }

    /// Releases every handle; call before the client handle is destroyed.
    func destroyAll() {
        handles.withLock { handles in
            for name in handles.byName.keys.sorted() { rd_kafka_topic_destroy(handles.byName[name]) }
            handles = Handles()
        }
    }
}
