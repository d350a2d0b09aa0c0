#include "reference_loop.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_seconds(void) { return clock_seconds(CLOCK_MONOTONIC); }

typedef struct {
    long long delivered;
    long long failed;
} delivery_counts;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    delivery_counts *counts = (delivery_counts *)opaque;
    if (message->err) counts->failed++;
    else counts->delivered++;
}

static rd_kafka_conf_t *make_conf(const char *const *keys, const char *const *values, int n,
                                  dl_reference_result *result) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    for (int i = 0; i < n; i++) {
        if (rd_kafka_conf_set(conf, keys[i], values[i], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            snprintf(result->error, sizeof result->error, "%s: %s", keys[i], errstr);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

int dl_reference_produce(const char *const *keys, const char *const *values, int count_conf,
                         const char *topic, long long count, int size,
                         dl_reference_result *result) {
    memset(result, 0, sizeof *result);
    rd_kafka_conf_t *conf = make_conf(keys, values, count_conf, result);
    if (!conf) return 1;
    delivery_counts counts = {0, 0};
    rd_kafka_conf_set_opaque(conf, &counts);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        snprintf(result->error, sizeof result->error, "%s", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *payload = malloc((size_t)size);
    memset(payload, 'x', (size_t)size);
    char key[24];

    double start = now_seconds();
    for (long long i = 0; i < count; i++) {
        int key_len = snprintf(key, sizeof key, "%lld", i);
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload,
                                (size_t)size, key, (size_t)key_len, NULL) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                snprintf(result->error, sizeof result->error, "produce: %s",
                         rd_kafka_err2str(rd_kafka_last_error()));
                goto done;
            }
            rd_kafka_poll(rk, 10);
        }
        if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    while (counts.delivered + counts.failed < count) rd_kafka_poll(rk, 50);
    result->seconds = now_seconds() - start;
done:
    result->messages = counts.delivered;
    result->failed = counts.failed;
    free(payload);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_flush(rk, 10000);
    rd_kafka_destroy(rk);
    return result->error[0] ? 1 : 0;
}

int dl_reference_consume(const char *const *keys, const char *const *values, int count_conf,
                         const char *topic, long long count, int timeout_ms,
                         dl_reference_result *result) {
    memset(result, 0, sizeof *result);
    rd_kafka_conf_t *conf = make_conf(keys, values, count_conf, result);
    if (!conf) return 1;
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) {
        snprintf(result->error, sizeof result->error, "%s", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    const struct rd_kafka_metadata *metadata = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &metadata, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err || metadata->topic_cnt != 1 || metadata->topics[0].err) {
        snprintf(result->error, sizeof result->error, "metadata for %s: %s", topic,
                 rd_kafka_err2str(err ? err : metadata->topics[0].err));
        if (metadata) rd_kafka_metadata_destroy(metadata);
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_topic_partition_list_t *assignment =
        rd_kafka_topic_partition_list_new(metadata->topics[0].partition_cnt);
    for (int p = 0; p < metadata->topics[0].partition_cnt; p++)
        rd_kafka_topic_partition_list_add(assignment, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);

    long long received = 0;
    unsigned long long checksum = 0;
    // Same librdkafka calls as the Swift layer's poll: wait for one record with
    // rd_kafka_consumer_poll, then take what is already fetched in batches of up to 4096.
    // The clock is read when the first record arrives, when the last one does and while
    // idle, never per record.
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t *batch[4096];
    double start = 0, end = 0, last = now_seconds(), deadline_gap = timeout_ms / 1000.0;
    while (received < count) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 100);
        if (!message) {
            double now = now_seconds();
            if (now - last > deadline_gap) {
                snprintf(result->error, sizeof result->error,
                         "timed out after %lld of %lld records", received, count);
                break;
            }
            continue;
        }
        if (!message->err) {
            if (received == 0) start = now_seconds();
            received++;
            if (message->len) checksum += ((const unsigned char *)message->payload)[0];
        }
        rd_kafka_message_destroy(message);
        while (received < count) {
            long long left = count - received;
            size_t wanted = left < 4096 ? (size_t)left : 4096;
            ssize_t taken = rd_kafka_consume_batch_queue(queue, 0, batch, wanted);
            if (taken <= 0) break;
            for (ssize_t i = 0; i < taken; i++) {
                if (!batch[i]->err) {
                    received++;
                    if (batch[i]->len) checksum += ((const unsigned char *)batch[i]->payload)[0];
                }
                rd_kafka_message_destroy(batch[i]);
            }
            if ((size_t)taken < wanted) break;
        }
        last = now_seconds();
        if (received >= count) end = last;
    }
    rd_kafka_queue_destroy(queue);
    if (end == 0) end = now_seconds();
    result->seconds = end - start;
    result->messages = received;
    (void)checksum;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return result->error[0] ? 1 : 0;
}

// Enqueues `m`'s key and value to `partition` of `out` with its timestamp and a copy of its
// headers (what a forwarding stage keeps of a record). Returns -1 with the error in
// rd_kafka_last_error's place (`*err`) when not enqueued.
static int produce_preserving(rd_kafka_t *producer, rd_kafka_topic_t *out, const rd_kafka_message_t *m,
                              rd_kafka_resp_err_t *err) {
    rd_kafka_timestamp_type_t type;
    int64_t timestamp = rd_kafka_message_timestamp(m, &type);
    rd_kafka_headers_t *headers = NULL, *copy = NULL;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) copy = rd_kafka_headers_copy(headers);
    rd_kafka_vu_t vus[7];
    size_t n = 0;
    vus[n].vtype = RD_KAFKA_VTYPE_RKT; vus[n++].u.rkt = out;
    vus[n].vtype = RD_KAFKA_VTYPE_PARTITION; vus[n++].u.i32 = m->partition;
    vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
    vus[n].vtype = RD_KAFKA_VTYPE_VALUE; vus[n].u.mem.ptr = m->payload; vus[n++].u.mem.size = m->len;
    vus[n].vtype = RD_KAFKA_VTYPE_KEY; vus[n].u.mem.ptr = m->key; vus[n++].u.mem.size = m->key_len;
    if (timestamp >= 0) { vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vus[n++].u.i64 = timestamp; }
    if (copy) { vus[n].vtype = RD_KAFKA_VTYPE_HEADERS; vus[n++].u.headers = copy; }
    rd_kafka_error_t *error = rd_kafka_produceva(producer, vus, n);
    if (!error) return 0;
    *err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (copy) rd_kafka_headers_destroy(copy);
    return -1;
}

int dl_reference_pipe(const char *const *consumer_keys, const char *const *consumer_values, int consumer_count,
                      const char *const *producer_keys, const char *const *producer_values, int producer_count,
                      const char *in_topic, const char *out_topic, long long count, int timeout_ms,
                      int preserve, dl_reference_result *result) {
    memset(result, 0, sizeof *result);
    char errstr[256];
    rd_kafka_conf_t *pconf = make_conf(producer_keys, producer_values, producer_count, result);
    if (!pconf) return 1;
    delivery_counts counts = {0, 0};
    rd_kafka_conf_set_opaque(pconf, &counts);
    rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof errstr);
    if (!producer) {
        snprintf(result->error, sizeof result->error, "%s", errstr);
        rd_kafka_conf_destroy(pconf);
        return 1;
    }
    rd_kafka_conf_t *cconf = make_conf(consumer_keys, consumer_values, consumer_count, result);
    if (!cconf) {
        rd_kafka_destroy(producer);
        return 1;
    }
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, errstr, sizeof errstr);
    if (!consumer) {
        snprintf(result->error, sizeof result->error, "%s", errstr);
        rd_kafka_conf_destroy(cconf);
        rd_kafka_destroy(producer);
        return 1;
    }
    rd_kafka_poll_set_consumer(consumer);
    const struct rd_kafka_metadata *metadata = NULL;
    rd_kafka_topic_t *probe = rd_kafka_topic_new(consumer, in_topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(consumer, 0, probe, &metadata, 10000);
    rd_kafka_topic_destroy(probe);
    if (err || metadata->topic_cnt != 1 || metadata->topics[0].err) {
        snprintf(result->error, sizeof result->error, "metadata for %s: %s", in_topic,
                 rd_kafka_err2str(err ? err : metadata->topics[0].err));
        if (metadata) rd_kafka_metadata_destroy(metadata);
        rd_kafka_destroy(consumer);
        rd_kafka_destroy(producer);
        return 1;
    }
    rd_kafka_topic_partition_list_t *assignment =
        rd_kafka_topic_partition_list_new(metadata->topics[0].partition_cnt);
    for (int p = 0; p < metadata->topics[0].partition_cnt; p++)
        rd_kafka_topic_partition_list_add(assignment, in_topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(metadata);
    rd_kafka_assign(consumer, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    rd_kafka_topic_t *out = rd_kafka_topic_new(producer, out_topic, NULL);

    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(consumer);
    rd_kafka_message_t *batch[1000];
    long long received = 0;
    double start = 0, last = now_seconds(), gap = timeout_ms / 1000.0;
    double thread_start = 0, process_start = 0;
    while (received < count && !result->error[0]) {
        rd_kafka_message_t *first = rd_kafka_consumer_poll(consumer, 100);
        if (!first) {
            if (now_seconds() - last > gap)
                snprintf(result->error, sizeof result->error, "timed out after %lld of %lld records", received, count);
            rd_kafka_poll(producer, 0);
            continue;
        }
        batch[0] = first;
        ssize_t taken = 1;
        long long left = count - received - 1;
        if (left > 0) {
            ssize_t more = rd_kafka_consume_batch_queue(queue, 0, batch + 1, left < 999 ? (size_t)left : 999);
            if (more > 0) taken += more;
        }
        for (ssize_t i = 0; i < taken; i++) {
            rd_kafka_message_t *m = batch[i];
            if (!m->err) {
                if (received == 0) {
                    start = now_seconds();
                    thread_start = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
                    process_start = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
                }
                received++;
                rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
                while (preserve ? produce_preserving(producer, out, m, &err) == -1
                                : rd_kafka_produce(out, m->partition, RD_KAFKA_MSG_F_COPY, m->payload, m->len,
                                                   m->key, m->key_len, NULL) == -1) {
                    if (!preserve) err = rd_kafka_last_error();
                    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        snprintf(result->error, sizeof result->error, "produce: %s", rd_kafka_err2str(err));
                        break;
                    }
                    rd_kafka_poll(producer, 10);
                }
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(producer, 0);
        last = now_seconds();
    }
    while (!result->error[0] && counts.delivered + counts.failed < received) rd_kafka_poll(producer, 20);
    result->seconds = now_seconds() - start;
    result->thread_cpu_seconds = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - thread_start;
    result->process_cpu_seconds = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_start;
    result->messages = counts.delivered;
    result->failed = counts.failed;
    rd_kafka_queue_destroy(queue);
    rd_kafka_topic_destroy(out);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_flush(producer, 10000);
    rd_kafka_destroy(producer);
    return result->error[0] ? 1 : 0;
}
