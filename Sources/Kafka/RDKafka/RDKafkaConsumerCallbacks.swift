import CRdKafka
import Synchronization

/// State shared with librdkafka's consumer callbacks through the conf opaque pointer: the
/// rebalance handler, which performs the (incremental) assign itself, and the last error.
final class RDKafkaConsumerCallbacks: Sendable {
    let rebalanceHandler = Mutex<(@Sendable (KafkaRebalanceEvent) -> Void)?>(nil)
    let lastError = Mutex<KafkaError?>(nil)

    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { handle, err, partitions, opaque in
            guard let handle, let opaque else { return }
            let state = Unmanaged<RDKafkaConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            state.rebalance(handle: handle, err: err, partitions: partitions)
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            guard let opaque else { return }
            let state = Unmanaged<RDKafkaConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            let err = rd_kafka_resp_err_t(rawValue: code)
            var error = KafkaError(err, operation: "consumer", detail: reason.map { String(cString: $0) })
            error.isFatal = err == RD_KAFKA_RESP_ERR__FATAL
            state.lastError.withLock { $0 = error }
        }
        rd_kafka_conf_set_offset_commit_cb(conf) { _, err, _, opaque in
            guard let opaque, err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR__NO_OFFSET
            else { return }
            let state = Unmanaged<RDKafkaConsumerCallbacks>.fromOpaque(opaque).takeUnretainedValue()
            state.lastError.withLock { $0 = KafkaError(err, operation: "commit") }
        }
    }

    private func rebalance(
        handle: OpaquePointer, err: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let protocolName = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } ?? "NONE"
        let rebalanceProtocol = KafkaRebalanceEvent.RebalanceProtocol(rawValue: protocolName) ?? .none
        let cooperative = rebalanceProtocol == .cooperative
        let moved = partitions.map { RDKafkaTopicPartitionList(borrowing: $0).partitions.sorted() } ?? []
        let handler = rebalanceHandler.withLock { $0 }
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                record(rd_kafka_incremental_assign(handle, partitions), "incremental assign")
            } else {
                record(rd_kafka_assign(handle, partitions), "assign")
            }
            handler?(
                KafkaRebalanceEvent(
                    kind: .assigned, partitions: moved, rebalanceProtocol: rebalanceProtocol, isLost: false))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(handle) != 0
            handler?(
                KafkaRebalanceEvent(
                    kind: .revoked, partitions: moved, rebalanceProtocol: rebalanceProtocol, isLost: lost))
            if cooperative {
                record(rd_kafka_incremental_unassign(handle, partitions), "incremental unassign")
            } else {
                record(rd_kafka_assign(handle, nil), "unassign")
            }
        default:
            lastError.withLock { $0 = KafkaError(err, operation: "rebalance") }
            record(rd_kafka_assign(handle, nil), "unassign")
        }
    }

    private func record(_ error: OpaquePointer?, _ operation: String) {
        if let error {
            let kafkaError = KafkaError(consuming: error, operation: operation)
            lastError.withLock { $0 = kafkaError }
        }
    }

    private func record(_ err: rd_kafka_resp_err_t, _ operation: String) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            lastError.withLock { $0 = KafkaError(err, operation: operation) }
        }
    }
}
