"""Gauges read when Prometheus scrapes: queue depths, the inbox's backlog and lag, live workers,
agents by presence. They describe Parley as a whole (every web process reports the same values:
aggregate with `max`), and cost a few round trips per scrape, none on the paths they describe.

A part that cannot be read (Redis or MongoDB down) is left out of the answer and reported as
`parley_scrape_part_up{part=...} 0`, so the rest of the scrape still arrives.
"""

import logging

from prometheus_client.core import GaugeMetricFamily
from rq import Queue

from app import queues
from app.observability import shared
from app.services import health
from app.services.channel import inbox
from app.services.people import agents
from app.services.routing import presence

log = logging.getLogger(__name__)

#: parley_queue_jobs' state label → the RQ key of that state, per queue.
QUEUE_STATES = {
    "queued": lambda queue: queue.key,
    "started": lambda queue: queue.started_job_registry.key,
    "scheduled": lambda queue: queue.scheduled_job_registry.key,
    "failed": lambda queue: queue.failed_job_registry.key,
}


def _queue_jobs():
    redis = queues.get_redis()
    pairs = [(name, state) for name in queues.QUEUE_NAMES for state in QUEUE_STATES]
    with redis.pipeline(transaction=False) as pipe:
        for name, state in pairs:
            key = QUEUE_STATES[state](Queue(name, connection=redis))
            if state == "queued":
                pipe.llen(key)
            else:
                pipe.zcard(key)
        counts = pipe.execute()
    family = GaugeMetricFamily("parley_queue_jobs", "RQ jobs per queue and state (queued, started, scheduled, failed)",
                               labels=["queue", "state"])
    for (name, state), count in zip(pairs, counts, strict=True):
        family.add_metric([name, state], count)
    yield family


def _inbox():
    waiting, age = inbox.backlog()
    yield GaugeMetricFamily("parley_inbox_backlog_events", "Accepted webhook events not yet applied", value=waiting)
    yield GaugeMetricFamily(
        "parley_inbox_lag_seconds", "How long the oldest unapplied webhook event has waited (0: none waits)", value=age or 0.0
    )


def _workers():
    family = GaugeMetricFamily("parley_workers", "RQ workers with a recent heartbeat, per queue", labels=["queue"])
    for name, count in health.live_workers().items():
        family.add_metric([name], count)
    yield family


def _agents():
    counts = presence.tally(agent["_id"] for agent in agents.active_agents())
    family = GaugeMetricFamily("parley_agents", "Active agents by presence state", labels=["state"])
    for state, count in counts.items():
        family.add_metric([state], count)
    yield family


PARTS = {
    "queues": _queue_jobs,
    "inbox": _inbox,
    "workers": _workers,
    "agents": _agents,
    "shared_counters": shared.families,
}


class ScrapeGauges:
    """A Prometheus collector: every part of PARTS, then which parts could be read."""

    def collect(self):
        up = GaugeMetricFamily("parley_scrape_part_up", "Whether the scrape could read this part (1) or not (0)",
                               labels=["part"])
        for name, part in PARTS.items():
            try:
                families = list(part())
            except Exception as exc:  # a part down must not hide the others
                log.warning("metrics: %s not read: %s: %s", name, type(exc).__name__, exc)
                families = None
            yield from families or ()
            up.add_metric([name], 1 if families is not None else 0)
        yield up
