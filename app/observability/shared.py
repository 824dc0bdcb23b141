"""Counters kept in Redis: what jobs count (a job's work horse ends with it, see metrics.py).

Each counter is one Redis hash, one field per label set ("sent|meta|"), incremented with one
HINCRBY where the thing happens; `SharedCounters` turns the hashes into Prometheus counters when
a web process is scraped. Counting never fails the work it counts: Redis not answering loses
the increment and logs a warning.
"""

import logging
import re

from prometheus_client.core import CounterMetricFamily
from redis.exceptions import RedisError

from app import queues

log = logging.getLogger(__name__)

KEY_PREFIX = "parley:metrics:"
#: name → (help, label names); the Prometheus name is parley_<name>_total.
COUNTERS = {
    "sends": (
        "Messages handed to providers, by provider, outcome (sent, retried, failed, held) and error code",
        ("provider", "outcome", "code"),
    ),
    "inbound_events": (
        "Accepted webhook events applied by the drain jobs, by outcome (stored, duplicate, failed...)",
        ("outcome",),
    ),
}
SEPARATOR = "|"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")
LABEL_MAX = 40  # provider error codes are short; anything longer is cut, so a label set stays bounded


def _label(value):
    return _UNSAFE.sub("_", str(value if value is not None else ""))[:LABEL_MAX]


def increment(name, *labels, by=1):
    """Add `by` to counter `name` (see COUNTERS) for these label values, in Redis."""
    if len(labels) != len(COUNTERS[name][1]):
        raise ValueError(f"counter {name} takes labels {COUNTERS[name][1]}")
    try:
        queues.get_redis().hincrby(KEY_PREFIX + name, SEPARATOR.join(_label(v) for v in labels), by)
    except RedisError as exc:
        log.warning("metric %s not counted: Redis does not answer (%s)", name, type(exc).__name__)


def increment_many(name, counts):
    """Add each {label value: n} of a one-label counter, in one round trip."""
    if not counts:
        return
    try:
        with queues.get_redis().pipeline(transaction=False) as pipe:
            for value, n in counts.items():
                pipe.hincrby(KEY_PREFIX + name, _label(value), int(n))
            pipe.execute()
    except RedisError as exc:
        log.warning("metric %s not counted: Redis does not answer (%s)", name, type(exc).__name__)


class SharedCounters:
    """A Prometheus collector: the Redis hashes, read in one round trip per scrape."""

    def collect(self):
        with queues.get_redis().pipeline(transaction=False) as pipe:
            for name in COUNTERS:
                pipe.hgetall(KEY_PREFIX + name)
            found = pipe.execute()
        for (name, (help_text, label_names)), fields in zip(COUNTERS.items(), found, strict=True):
            family = CounterMetricFamily(f"parley_{name}", help_text, labels=label_names)
            for field, value in sorted(fields.items()):
                values = field.decode().split(SEPARATOR)
                if len(values) == len(label_names):
                    family.add_metric(values, int(value))
            yield family
