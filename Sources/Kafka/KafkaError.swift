import CRdKafka

/// An error reported by librdkafka or by this module, with enough context for a user to act on.
///
/// `code` is librdkafka's `rd_kafka_resp_err_t` raw value (negative values are client-side
/// errors such as `_MSG_TIMED_OUT`, positive values are Kafka protocol errors). The flags come
/// from librdkafka's classification (`rd_kafka_error_t`) where it gives one.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` raw value.
    public var code: Int32
    /// librdkafka's symbolic name without the `RD_KAFKA_RESP_ERR_` prefix, e.g. `_MSG_TIMED_OUT`.
    public var name: String
    /// librdkafka's human readable text for the error (or the detailed error string it gave).
    public var message: String
    /// What this module was doing when the error happened, e.g. "commitTransaction".
    public var operation: String
    /// Retrying the same operation may succeed.
    public var isRetriable: Bool
    /// The client instance is unusable; it must be closed and created again.
    public var isFatal: Bool
    /// The current transaction must be aborted (`abortTransaction`) before continuing.
    public var transactionRequiresAbort: Bool

    public init(
        code: Int32, name: String, message: String, operation: String,
        isRetriable: Bool = false, isFatal: Bool = false, transactionRequiresAbort: Bool = false
    ) {
        self.code = code
        self.name = name
        self.message = message
        self.operation = operation
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.transactionRequiresAbort = transactionRequiresAbort
    }

    /// An error from a plain `rd_kafka_resp_err_t`.
    init(_ err: rd_kafka_resp_err_t, operation: String, detail: String? = nil) {
        self.init(
            code: err.rawValue,
            name: String(cString: rd_kafka_err2name(err)),
            message: detail ?? String(cString: rd_kafka_err2str(err)),
            operation: operation,
            isRetriable: KafkaError.isRetriableCode(err),
            isFatal: err == RD_KAFKA_RESP_ERR__FATAL
        )
    }

    /// Takes ownership of `error` (destroys it) and keeps librdkafka's classification.
    init(consuming error: OpaquePointer, operation: String) {
        let err = rd_kafka_error_code(error)
        self.init(
            code: err.rawValue,
            name: String(cString: rd_kafka_error_name(error)),
            message: String(cString: rd_kafka_error_string(error)),
            operation: operation,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
        rd_kafka_error_destroy(error)
    }

    /// An error raised by this module itself (not by librdkafka).
    static func client(_ message: String, operation: String) -> KafkaError {
        KafkaError(code: -1, name: "DRIFTLINE", message: message, operation: operation)
    }

    /// Throws when `err` is not `NO_ERROR`. `operation` is built only then: hot paths such as
    /// `enqueue` pass an interpolated string, which would otherwise cost an allocation per call.
    static func check(_ err: rd_kafka_resp_err_t, _ operation: @autoclosure () -> String) throws(KafkaError) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, operation: operation()) }
    }

    /// Throws when `error` is non-nil (and destroys it).
    static func check(_ error: OpaquePointer?, _ operation: String) throws(KafkaError) {
        if let error { throw KafkaError(consuming: error, operation: operation) }
    }

    private static func isRetriableCode(_ err: rd_kafka_resp_err_t) -> Bool {
        switch err {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return true
        default:
            return false
        }
    }

    /// `NO_ERROR` raw value, for comparisons by callers that hold a `code`.
    public static let noErrorCode: Int32 = RD_KAFKA_RESP_ERR_NO_ERROR.rawValue
    /// The code of a delivery that failed because `message.timeout.ms` passed.
    public static let messageTimedOutCode: Int32 = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue

    public var description: String {
        var flags: [String] = []
        if isFatal { flags.append("fatal: close and recreate the client") }
        if transactionRequiresAbort { flags.append("abort the transaction") }
        if isRetriable { flags.append("retriable") }
        let suffix = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "Kafka \(operation) failed: \(message) (\(name), code \(code))\(suffix)"
    }
}
