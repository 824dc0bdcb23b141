"""Readiness: whether this process can do its work now, part by part (MongoDB, Redis, workers).

Liveness needs nothing of this (/healthz answers from the process alone). The answer is public
(load balancers call it), so it says which part fails, never why: the reason (host names,
ports, driver messages) goes to the log.

Workers: with the embedded worker (the embedded database), its threads in this process must all
be running. Otherwise every queue needs an RQ worker registered in Redis whose heartbeat is
recent: RQ refreshes it at least every `worker_ttl` seconds (app/queues.py WORKER_TTL_SECONDS
for Parley's workers) and lets a silent worker's record expire 60 seconds after that, so a
heartbeat older than that is a worker that died without unregistering.
"""

import logging
from datetime import UTC, datetime, timedelta

from rq.utils import utcparse
from rq.worker_registration import get_keys

from app import db, queues

log = logging.getLogger(__name__)

#: A heartbeat older than this is a dead worker (RQ's own expiry of a worker's record).
HEARTBEAT_STALE = timedelta(seconds=queues.WORKER_TTL_SECONDS + 60)


def _probe(name, check):
    try:
        check()
        return {"ok": True}
    except Exception as exc:  # any failure means "not reachable"
        log.warning("readiness: %s is not reachable: %s: %s", name, type(exc).__name__, exc)
        return {"ok": False, "error": f"{name} is not reachable"}


def live_workers(now=None):
    """{queue name: number of RQ workers with a recent heartbeat listening to it}, every queue listed."""
    now = now or datetime.now(UTC)
    redis = queues.get_redis()
    keys = sorted(get_keys(connection=redis))
    with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hmget(key, "queues", "last_heartbeat")
        found = pipe.execute()
    counts = dict.fromkeys(queues.QUEUE_NAMES, 0)
    for names, beat in found:
        if not names or not beat or now - utcparse(beat.decode()) > HEARTBEAT_STALE:
            continue
        for name in names.decode().split(","):
            if name in counts:
                counts[name] += 1
    return counts


def _workers(embedded_worker, redis_ok):
    if embedded_worker is not None:
        stopped = embedded_worker.stopped_threads()
        if stopped:
            log.warning("readiness: embedded worker threads not running: %s", ", ".join(stopped))
            return {"ok": False, "error": "embedded worker threads are not running"}
        return {"ok": True}
    if not redis_ok:
        return {"ok": False, "error": "workers cannot be seen while redis is not reachable"}
    try:
        counts = live_workers()
    except Exception as exc:
        log.warning("readiness: workers not read: %s: %s", type(exc).__name__, exc)
        return {"ok": False, "error": "workers cannot be seen"}
    idle = [name for name, count in counts.items() if not count]
    if idle:
        return {"ok": False, "error": f"no worker with a recent heartbeat for queue(s): {', '.join(idle)}"}
    return {"ok": True}


def check_readiness(embedded_worker=None):
    """{"status": "ok" | "unavailable", "failing": [part], "parts": {part: {"ok", "error"?}}}.

    `embedded_worker`: this process's embedded worker (its `stopped_threads()` lists the threads
    that ended), or None when the workers are processes of their own."""
    parts = {"mongodb": _probe("mongodb", db.ping), "redis": _probe("redis", queues.ping)}
    parts["workers"] = _workers(embedded_worker, parts["redis"]["ok"])
    failing = [name for name, part in parts.items() if not part["ok"]]
    return {"status": "ok" if not failing else "unavailable", "failing": failing, "parts": parts}
