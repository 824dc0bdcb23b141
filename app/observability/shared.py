"""Counters kept in Redis: what jobs count (a job's work horse ends with it, see metrics.py).

Each counter is one Redis hash, one field per label set ("meta|message|sent|"), incremented with
one HINCRBY where the thing happens (or a `Tally`'s flush, where things happen by the thousand);
`families()` turns the hashes into Prometheus counters when a web process is scraped.
Counting never fails the work it counts: Redis not answering loses the increment and logs a
warning.
"""

import logging
import re
import threading
from collections import Counter

from prometheus_client.core import CounterMetricFamily
from redis.exceptions import RedisError

from app import queues

log = logging.getLogger(__name__)

KEY_PREFIX = "parley:metrics:"
#: name → (help, label names); the Prometheus name is parley_<name>_total.
COUNTERS = {
    "sends": (
        "Sends to providers, by provider, kind (message, campaign), outcome (sent, retried, failed, held) and error code",
        ("provider", "kind", "outcome", "code"),
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


def increment(name, *labels):
    """Add one to counter `name` (see COUNTERS) for these label values, in Redis."""
    add(name, {labels: 1})


def add(name, counts):
    """Add each {(label values): n} to counter `name`, in one round trip."""
    width = len(COUNTERS[name][1])
    if any(len(labels) != width for labels in counts):
        raise ValueError(f"counter {name} takes labels {COUNTERS[name][1]}")
    if not counts:
        return
    try:
        with queues.get_redis().pipeline(transaction=False) as pipe:
            for labels, n in counts.items():
                pipe.hincrby(KEY_PREFIX + name, SEPARATOR.join(_label(v) for v in labels), int(n))
            pipe.execute()
    except RedisError as exc:
        log.warning("metric %s not counted: Redis does not answer (%s)", name, type(exc).__name__)


class Tally:
    """Counts kept in memory and added to Redis on `flush`: for a loop that counts faster than it
    should call Redis (a campaign sends up to a thousand messages a second). Thread-safe."""

    def __init__(self, name):
        self.name, self._counts, self._lock = name, Counter(), threading.Lock()

    def count(self, *labels):
        with self._lock:
            self._counts[labels] += 1

    def flush(self):
        with self._lock:
            counts, self._counts = self._counts, Counter()
        add(self.name, counts)


def families():
    """The counters' metric families: the Redis hashes, read in one round trip per scrape (a part of
    the scrape's gauges, gauges.PARTS, so that Redis down leaves the rest of the scrape whole)."""
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
