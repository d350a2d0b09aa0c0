#!/usr/bin/env python3
"""Reads a Driftline topology's model and alert topics with confluent-kafka (no Driftline code)
and checks every record against the documented formats: docs/model-document.md (fields, types,
content hash over the canonical encoding) and docs/topics.md (drift alerts; with --features,
the compact driftline.features version 2 records too).

Usage: validate_topics.py --brokers HOST:PORT --models TOPIC --alerts TOPIC [--features TOPIC]
Prints one JSON object (counts and errors) and exits 1 when any record is invalid.
"""
import argparse
import hashlib
import json
import re
import sys

from confluent_kafka import Consumer, TopicPartition

NUMBER = (int, float)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return isinstance(value, NUMBER) and not isinstance(value, bool)


def read_topic(brokers, topic, timeout=30.0):
    """Every record of every partition, from the low to the high watermark."""
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": "driftline-python-validator",
        "enable.auto.commit": False,
        "isolation.level": "read_uncommitted",
    })
    try:
        metadata = consumer.list_topics(topic, timeout=timeout)
        described = metadata.topics.get(topic)
        if described is None or described.error is not None:
            return []
        ends = {}
        assignment = []
        for partition in sorted(described.partitions):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
            if high > low:
                ends[partition] = high
                assignment.append(TopicPartition(topic, partition, low))
        if not assignment:
            return []
        consumer.assign(assignment)
        records = []
        remaining = dict(ends)
        idle = 0
        while remaining and idle < 100:
            message = consumer.poll(0.2)
            if message is None:
                idle += 1
                continue
            if message.error():
                raise RuntimeError(str(message.error()))
            idle = 0
            records.append(message)
            if message.offset() >= remaining.get(message.partition(), 0) - 1:
                remaining.pop(message.partition(), None)
        if remaining:
            raise RuntimeError(f"{topic}: did not reach the end of partitions {sorted(remaining)}")
        return records
    finally:
        consumer.close()


def canonical(value):
    """The documented canonical encoding: sorted keys, no whitespace, shortest floats."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def check_model(text, errors, where):
    def fail(message):
        errors.append(f"model {where}: {message}")

    try:
        doc = json.loads(text)
    except ValueError as error:
        fail(f"not JSON: {error}")
        return None
    if not isinstance(doc, dict):
        fail("not an object")
        return None
    expected = {
        "format": str, "format_version": int, "name": str, "version": int, "task": str, "schema": dict,
        "hyper_parameters": dict, "features": list, "weights": dict, "intercept": NUMBER,
        "optimizer_state": dict, "transformer_state": dict, "events_learned": int,
        "training_offsets": list, "metrics": dict, "content_hash": str,
    }
    for field, kind in expected.items():
        if field not in doc:
            fail(f"missing {field}")
        elif kind is int and not is_int(doc[field]):
            fail(f"{field} is not an integer")
        elif kind is NUMBER and not is_number(doc[field]):
            fail(f"{field} is not a number")
        elif kind not in (int, NUMBER) and not isinstance(doc[field], kind):
            fail(f"{field} is not a {kind.__name__}")
    if errors and errors[-1].startswith(f"model {where}"):
        return None
    if doc["format"] != "driftline.model" or doc["format_version"] != 1:
        fail("format is not driftline.model version 1")
    if "parent_version" not in doc or not (doc["parent_version"] is None or is_int(doc["parent_version"])):
        fail("parent_version is not an integer or null")
    if doc["task"] not in ("regression", "binary_classification"):
        fail(f"unknown task {doc['task']!r}")
    for key in ("target", "key", "time", "numeric", "categorical"):
        if key not in doc["schema"]:
            fail(f"schema lacks {key}")
    for key in ("transformer", "learner"):
        if not isinstance(doc["hyper_parameters"].get(key), dict):
            fail(f"hyper_parameters.{key} is not an object")
    if not all(isinstance(name, str) for name in doc["features"]):
        fail("features are not all strings")
    if set(doc["weights"]) != set(doc["features"]) or len(doc["features"]) != len(set(doc["features"])):
        fail("weights do not have one entry per feature")
    if not all(is_number(w) for w in doc["weights"].values()):
        fail("a weight is not a number")
    if not isinstance(doc["optimizer_state"].get("name"), str) or not is_int(doc["optimizer_state"].get("step_count")):
        fail("optimizer_state lacks name or step_count")
    fields = doc["transformer_state"].get("fields")
    if not isinstance(fields, list):
        fail("transformer_state.fields is not a list")
    else:
        for field in fields:
            if not isinstance(field, dict) or not isinstance(field.get("name"), str) or field.get("role") not in (
                    "numeric", "categorical", "target", "key", "time", "ignored", "undecided"):
                fail(f"bad transformer field {field!r}"[:200])
                break
    for offsets in doc["training_offsets"]:
        if not (isinstance(offsets, dict) and isinstance(offsets.get("topic"), str)
                and all(is_int(offsets.get(k)) for k in ("partition", "first", "last"))
                and offsets["first"] <= offsets["last"]):
            fail(f"bad training_offsets entry {offsets!r}")
    if not all(is_number(v) for v in doc["metrics"].values()):
        fail("a metric is not a number")
    if "created_at" in doc and not (doc["created_at"] is None or isinstance(doc["created_at"], str)):
        fail("created_at is not a string or null")
    lineage = doc.get("lineage")
    if lineage is not None and not (isinstance(lineage, dict) and is_int(lineage.get("version_events"))):
        fail("lineage lacks version_events")
    if isinstance(lineage, dict):
        check_lineage_actions(lineage, fail)
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", doc["content_hash"]):
        fail(f"content_hash {doc['content_hash']!r} is not sha256:HEX")
    body = {k: v for k, v in doc.items() if k not in ("content_hash", "created_at")}
    digest = "sha256:" + hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()
    if digest != doc["content_hash"]:
        fail(f"content hash {doc['content_hash']} does not match the recomputed {digest}")
    if canonical(doc) != text:
        fail("the record is not in canonical form")
    return doc


def is_position(value):
    return isinstance(value, dict) and isinstance(value.get("topic"), str) and all(
        is_int(value.get(k)) for k in ("partition", "offset"))


def check_cause(cause, fail, where):
    """An on_drift cause: where the action took effect (`applied_at`), when the learn stage wrote it."""
    if not isinstance(cause, dict):
        fail(f"{where} is not an object")
        return
    applied = cause.get("applied_at")
    if applied is not None and not (isinstance(applied, dict) and is_position(applied.get("features"))
                                    and is_position(applied.get("source"))):
        fail(f"{where}.applied_at is not {{features, source}} positions")
    if cause.get("action") == "challenger_started" and "applied_at" in cause and not is_int(cause.get("trial_length")):
        fail(f"{where} starts a challenger without trial_length")


def check_lineage_actions(lineage, fail):
    started_by = lineage.get("started_by")
    if isinstance(started_by, dict):
        check_cause(started_by, fail, "lineage.started_by")
        if started_by.get("action") == "promote_challenger" and isinstance(started_by.get("alert"), dict):
            check_cause(started_by["alert"], fail, "lineage.started_by.alert")
    trial = lineage.get("challenger_trial")
    if trial is not None:
        if not (isinstance(trial, dict) and all(is_int(trial.get(k)) for k in ("started_index", "length", "events"))
                and all(is_number(trial.get(k)) or isinstance(trial.get(k), str)
                        for k in ("champion_loss_sum", "challenger_loss_sum"))
                and isinstance(trial.get("challenger"), dict)
                and trial["challenger"].get("format") == "driftline.model"):
            fail("lineage.challenger_trial lacks started_index, length, events, loss sums or the challenger document")
        else:
            check_cause(trial.get("cause"), fail, "lineage.challenger_trial.cause")


def check_alert(text, errors, where):
    def fail(message):
        errors.append(f"alert {where}: {message}")

    try:
        alert = json.loads(text)
    except ValueError as error:
        fail(f"not JSON: {error}")
        return None
    if alert.get("format") != "driftline.drift_alert" or alert.get("format_version") != 1:
        fail("format is not driftline.drift_alert version 1")
    for field in ("model", "model_key", "input", "detector"):
        if not isinstance(alert.get(field), str):
            fail(f"{field} is not a string")
    if alert.get("kind") not in ("concept", "data"):
        fail(f"kind {alert.get('kind')!r} is not concept or data")
    if "model_version" not in alert or not (alert["model_version"] is None or is_int(alert["model_version"])):
        fail("model_version is not an integer or null")
    if "feature" not in alert or not (alert["feature"] is None or isinstance(alert["feature"], str)):
        fail("feature is not a string or null")
    if not isinstance(alert.get("parameters"), dict):
        fail("parameters is not an object")
    for field in ("statistic", "threshold"):
        if not is_number(alert.get(field)):
            fail(f"{field} is not a number")
    if "p_value" not in alert or not (alert["p_value"] is None or is_number(alert["p_value"])):
        fail("p_value is not a number or null")
    sizes = alert.get("window_sizes")
    if not (isinstance(sizes, list) and all(is_int(s) for s in sizes)):
        fail("window_sizes is not a list of integers")
    if not is_int(alert.get("detector_position")):
        fail("detector_position is not an integer")
    position = alert.get("position")
    if not isinstance(position, dict):
        fail("position is not an object")
    else:
        for part in ("source", "input"):
            where_from = position.get(part)
            if not (isinstance(where_from, dict) and isinstance(where_from.get("topic"), str)
                    and is_int(where_from.get("partition")) and is_int(where_from.get("offset"))):
                fail(f"position.{part} is not {{topic, partition, offset}}")
        if "time" not in position:
            fail("position lacks time")
    if canonical(alert) != text:
        fail("the record is not in canonical form")
    return alert


def check_features(raw, errors, where):
    """driftline.features version 2: canonical JSON around the event's own flat object."""
    def fail(message):
        errors.append(f"features {where}: {message}")

    try:
        text = raw.decode("utf-8")
        record = json.loads(text)
    except ValueError as error:
        fail(f"not UTF-8 JSON: {error}")
        return None
    if record.get("format") != "driftline.features" or record.get("format_version") != 2:
        fail("format is not driftline.features version 2")
    event = record.get("event")
    if not isinstance(event, dict) or any(isinstance(v, (dict, list)) for v in event.values()):
        fail("event is not a flat object")
    if set(record) != {"event", "format", "format_version", "key", "label", "source", "time"}:
        fail(f"members are {sorted(record)}")
    if not (record.get("key") is None or isinstance(record.get("key"), str)):
        fail("key is not a string or null")
    if not (record.get("label") is None or is_number(record.get("label"))):
        fail("label is not a number or null")
    source = record.get("source")
    if not (isinstance(source, dict) and isinstance(source.get("topic"), str)
            and is_int(source.get("partition")) and is_int(source.get("offset"))):
        fail("source is not {topic, partition, offset}")
    if isinstance(record.get("time"), (dict, list)):
        fail("time is not a scalar")
    # Everything after `event` is canonical: the text ends with the canonical members.
    rest = {k: v for k, v in record.items() if k != "event"}
    if not text.startswith('{"event":{') or not text.endswith(canonical(rest)[len("{"):]):
        fail("the members after event are not in canonical form")
    return record


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--alerts", required=True)
    parser.add_argument("--features")
    args = parser.parse_args()
    errors = []
    models = read_topic(args.brokers, args.models)
    alerts = read_topic(args.brokers, args.alerts)
    versions = {}
    for message in models:
        where = f"{message.partition()}:{message.offset()}"
        doc = check_model(message.value().decode("utf-8"), errors, where)
        if doc is not None:
            key = message.key().decode("utf-8") if message.key() else doc["name"]
            if doc["version"] < versions.get(key, 0):
                errors.append(f"model {where}: version {doc['version']} after {versions[key]} for {key}")
            versions[key] = doc["version"]
    for message in alerts:
        check_alert(message.value().decode("utf-8"), errors, f"{message.partition()}:{message.offset()}")
    features = read_topic(args.brokers, args.features) if args.features else []
    for message in features:
        check_features(message.value(), errors, f"{message.partition()}:{message.offset()}")
    print(json.dumps({"models": len(models), "alerts": len(alerts), "features": len(features),
                      "latest_versions": versions, "errors": errors[:50], "error_count": len(errors)},
                     sort_keys=True))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
