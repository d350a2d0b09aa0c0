import CRdKafka

/// Builds an `rd_kafka_conf_t` from string properties. The only place properties meet C.
enum RDKafkaConfig {
    /// A new conf with `properties` set in sorted key order (so errors are reported
    /// deterministically). The caller owns the result until `rd_kafka_new` succeeds.
    static func make(_ properties: [String: String], operation: String) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError.client("rd_kafka_conf_new returned NULL", operation: operation)
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for key in properties.keys.sorted() {
            let value = properties[key]!
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = cString(errstr)
                throw KafkaError(
                    code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, name: "_INVALID_ARG",
                    message: "configuration \(key)=\(value) rejected: \(detail)",
                    operation: operation)
            }
        }
        return conf
    }

    /// Creates the client handle; on failure destroys `conf` (librdkafka owns it only on success).
    static func newHandle(
        _ type: rd_kafka_type_t, conf: OpaquePointer, operation: String
    ) throws(KafkaError) -> OpaquePointer {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, name: "_INVALID_ARG",
                message: "rd_kafka_new failed: \(cString(errstr))", operation: operation)
        }
        return handle
    }
}

/// The NUL-terminated text librdkafka wrote into an error buffer.
func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
