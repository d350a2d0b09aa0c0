// The reference for `driftline bench transport`: the plainest produce and consume loops over
// librdkafka's C API, with no Swift in between. The Swift layer is measured against these in the
// same run, with the same configuration, so the ratio shows what the layer costs.
#ifndef DRIFTLINE_REFERENCE_LOOP_H
#define DRIFTLINE_REFERENCE_LOOP_H

typedef struct {
    double seconds;        // first send/receive to last delivery report/receive
    long long messages;    // delivered (produce) or received (consume)
    long long failed;      // delivery reports with an error
    double thread_cpu_seconds;   // dl_reference_pipe: CPU of the calling thread over `seconds`
    double process_cpu_seconds;  // dl_reference_pipe: CPU of the whole process over `seconds`
    char error[256];       // set when the loop could not run at all
} dl_reference_result;

// Produces `count` records of `size` bytes (key = decimal index) to `topic` and waits for every
// delivery report. `keys`/`values` are librdkafka properties, applied in order. Returns 0 on success.
int dl_reference_produce(const char *const *keys, const char *const *values, int count_conf,
                         const char *topic, long long count, int size,
                         dl_reference_result *result);

// Reads `count` records from all partitions of `topic` from the beginning (plain assignment, no
// group join), touching each payload once, with the calls the Swift layer's poll makes
// (rd_kafka_consumer_poll for the first record, rd_kafka_consume_batch_queue for the rest).
// Returns 0 on success, non-zero on timeout or error.
int dl_reference_consume(const char *const *keys, const char *const *values, int count_conf,
                         const char *topic, long long count, int timeout_ms,
                         dl_reference_result *result);

// Reads `count` records from all partitions of `in_topic` from the beginning (plain assignment)
// and produces each one's key and value to the same partition of `out_topic` (the consume →
// produce loop of a stage that does nothing), then waits for every delivery report. The clock
// runs from the first record received to the last delivery. `consumer_*` and `producer_*` are
// the two clients' librdkafka properties. With `preserve` set, each output also keeps its
// input's timestamp and headers (as a stage's forwarded record does; rd_kafka_produceva),
// else it gets the producer's time and no headers (rd_kafka_produce). Returns 0 on success.
int dl_reference_pipe(const char *const *consumer_keys, const char *const *consumer_values, int consumer_count,
                      const char *const *producer_keys, const char *const *producer_values, int producer_count,
                      const char *in_topic, const char *out_topic, long long count, int timeout_ms,
                      int preserve, dl_reference_result *result);

#endif
