"""Parley's Prometheus metrics: every definition in one place, one registry per process.

Three kinds, by where the figure lives:

- this process's own (webhooks answered, their latency, connected sockets): prometheus_client's
  in-process metrics, updated without any I/O (the webhook path counts in memory: no Redis
  round trip per webhook);
- counted in jobs (sends, applied inbound events): RQ runs each job in a work horse forked for
  it, which ends with the job, so these counters live in Redis hashes (shared.py) that every
  web process reads when scraped;
- states read when scraped (queue depths, the inbox's backlog and lag, live workers, agents by
  presence): gauges.py.

Redis hashes rather than prometheus_client's multiprocess mode: that mode needs one directory
shared by every process that counts, so a worker on another machine could not report, and it
keeps a file per process id, which a fork per job would grow without end. The cost is that the
shared counters are Parley-wide: every web process reports the same values (aggregate them with
`max`, never `sum`); this process's metrics are per process (aggregate with `sum`).
"""

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # no `_created` series beside every counter: Prometheus reads resets from the values

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # memory, CPU, open files of this process
PlatformCollector(registry=REGISTRY)
CONTENT_TYPE = CONTENT_TYPE_LATEST

WEBHOOKS = Counter(
    "parley_webhooks", "Webhook deliveries answered by this process, by provider and outcome", ["provider", "outcome"],
    registry=REGISTRY,
)
WEBHOOK_SECONDS = Histogram(
    "parley_webhook_duration_seconds",
    "Time to answer a webhook delivery in this process, by provider and outcome",
    ["provider", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SOCKETS = Gauge("parley_sockets_connected", "Socket.IO connections of signed-in users held by this process", registry=REGISTRY)

#: (status, error code) of a webhook's answer → its outcome label. An unknown key is "unknown"
#: whatever the provider: its account, and so its provider, is not known.
WEBHOOK_OUTCOMES = {
    (200, None): "accepted",
    (200, "handshake"): "handshake",  # a provider's GET verifying the URL (Meta's hub.challenge)
    (404, "unknown_webhook"): "unknown_key",
    (413, "too_large"): "too_large",
    (415, "unsupported_media_type"): "unsupported_type",
    (401, "rejected"): "bad_signature",
    (403, "rejected"): "bad_signature",
    (400, "malformed"): "malformed",
    (500, "retry_later"): "unavailable",
}


def webhook_outcome(status, code):
    """The outcome label of an answer: WEBHOOK_OUTCOMES, "error" for any other 5xx, else "refused"."""
    found = WEBHOOK_OUTCOMES.get((status, code))
    if found:
        return found
    return "error" if status >= 500 else "refused"


def observe_webhook(provider, status, code, started):
    """Count one answered webhook and its latency since `started` (time.perf_counter())."""
    labels = (provider, webhook_outcome(status, code))
    series = _webhook_series.get(labels)
    if series is None:  # `labels()` checks and copies its arguments: once per label set, not per webhook
        series = _webhook_series.setdefault(labels, (WEBHOOKS.labels(*labels), WEBHOOK_SECONDS.labels(*labels)))
    series[0].inc()
    series[1].observe(time.perf_counter() - started)


_webhook_series = {}


def exposition():
    """The text Prometheus scrapes: this registry's metrics, the scrape-time collectors included."""
    return generate_latest(REGISTRY)
