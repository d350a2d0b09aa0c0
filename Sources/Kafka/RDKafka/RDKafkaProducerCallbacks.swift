import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// State shared with librdkafka's producer callbacks through the conf opaque pointer:
/// delivery counters, the optional per-record handler and the last error seen.
///
/// `@unchecked Sendable`: `collectedTags` is only touched by the thread named in
/// `collectingThread`, which sets and clears both around its own `rd_kafka_poll`.
final class RDKafkaProducerCallbacks: @unchecked Sendable {
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let lastError = Mutex<KafkaError?>(nil)
    let handler: (@Sendable (KafkaDeliveryReport) -> Void)?
    /// Takes the tag of a tagged record delivered without error, instead of `handler`.
    let deliveredTagHandler: (@Sendable (UInt64) -> Void)?
    /// The last topic name reported: reports come in runs of one topic, and building a name
    /// longer than 15 bytes costs an allocation per report (comparing it does not).
    private let lastTopic = Mutex<String>("")
    /// The thread serving reports in `KafkaProducer.serveDeliveryReports(appendingDeliveredTagsTo:)`
    /// (0: none), and the array it collects delivered tags into: appending costs less than
    /// calling `deliveredTagHandler` (a closure call with a retain and release of its context,
    /// ~2% of a no-op stage runner's thread).
    let collectingThread = Atomic<UInt>(0)
    nonisolated(unsafe) var collectedTags: UnsafeMutablePointer<[UInt64]>?

    init(handler: (@Sendable (KafkaDeliveryReport) -> Void)?, deliveredTagHandler: (@Sendable (UInt64) -> Void)? = nil) {
        self.handler = handler
        self.deliveredTagHandler = deliveredTagHandler
    }

    /// Installs the delivery-report and error callbacks on `conf` with `self` as opaque. The
    /// caller keeps `self` alive as long as the handle (`RDKafkaClient.callbackState`).
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
            guard let message, let opaque else { return }
            // Borrowed, not retained: the client keeps the state alive while callbacks run
            // (a retain and release per report measured ~3% of a no-op stage's thread).
            Unmanaged<RDKafkaProducerCallbacks>.fromOpaque(opaque)._withUnsafeGuaranteedRef {
                $0.deliveryReport(message.pointee)
            }
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            guard let opaque else { return }
            let state = Unmanaged<RDKafkaProducerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            let err = rd_kafka_resp_err_t(rawValue: code)
            var error = KafkaError(
                err, operation: "producer", detail: reason.map { String(cString: $0) })
            error.isFatal = err == RD_KAFKA_RESP_ERR__FATAL
            state.lastError.withLock { $0 = error }
        }
    }

    private func topicName(_ topic: OpaquePointer?) -> String {
        guard let topic, let name = rd_kafka_topic_name(topic) else { return "" }
        return lastTopic.withLock { last in
            if !last.withCString({ strcmp($0, name) == 0 }) {
                last = String(cString: name)
            }
            return last
        }
    }

    private func deliveryReport(_ message: rd_kafka_message_t) {
        let ok = message.err == RD_KAFKA_RESP_ERR_NO_ERROR
        let tag = DeliveryTag.tag(message._private)
        // Collected tags are counted in `delivered` by the collector, once per serve.
        if ok, let tag, let collectedTags, collectingThread.load(ordering: .relaxed) == currentThreadID() {
            collectedTags.pointee.append(tag)
            return
        }
        if ok {
            delivered.add(1, ordering: .relaxed)
        } else {
            failed.add(1, ordering: .relaxed)
        }
        if ok, let tag, let deliveredTagHandler {
            deliveredTagHandler(tag)
            return
        }
        let waiter = tag == nil
            ? message._private.map { Unmanaged<DeliveryWaiter>.fromOpaque($0).takeRetainedValue() } : nil
        guard waiter != nil || handler != nil || !ok else { return }
        var report = KafkaDeliveryReport(
            topic: topicName(message.rkt),
            partition: message.partition,
            offset: KafkaOffset(message.offset),
            error: ok ? nil : KafkaError(message.err, operation: "delivery"))
        report.deliveryTag = tag
        if let error = report.error {
            lastError.withLock { $0 = error }
        }
        if let waiter {
            waiter.resume(report)
        } else {
            handler?(report)
        }
    }
}

/// The continuation of one `KafkaProducer.send`, passed to librdkafka as the message opaque.
final class DeliveryWaiter: Sendable {
    private let continuation: CheckedContinuation<KafkaDeliveryReport?, any Error>

    init(_ continuation: CheckedContinuation<KafkaDeliveryReport?, any Error>) {
        self.continuation = continuation
    }

    func resume(_ report: KafkaDeliveryReport) {
        continuation.resume(returning: report)
    }
}

/// A caller's delivery tag carried in the message opaque: shifted left with the low bit set,
/// which no (aligned) `DeliveryWaiter` pointer has.
enum DeliveryTag {
    static func opaque(_ tag: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(tag << 1 | 1))
    }

    static func tag(_ opaque: UnsafeMutableRawPointer?) -> UInt64? {
        guard let opaque else { return nil }
        let bits = UInt(bitPattern: opaque)
        return bits & 1 == 1 ? UInt64(bits >> 1) : nil
    }
}

/// The calling thread's id as a number (`collectingThread`).
@inline(__always)
func currentThreadID() -> UInt {
    #if canImport(Glibc)
    UInt(pthread_self())
    #else
    UInt(bitPattern: pthread_self())
    #endif
}
