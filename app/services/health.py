"""Reachability of the parts Parley needs: MongoDB and Redis.

The answer is public (load balancers call it), so it says which part fails, never why: the
reason (host names, ports, driver messages) goes to the log.
"""

import logging

from app import db, queues

log = logging.getLogger(__name__)


def _probe(name, check):
    try:
        check()
        return {"ok": True}
    except Exception as exc:  # any failure means "not reachable"
        log.warning("health check: %s is not reachable: %s: %s", name, type(exc).__name__, exc)
        return {"ok": False, "error": f"{name} is not reachable"}


def check_health():
    parts = {"mongodb": _probe("mongodb", db.ping), "redis": _probe("redis", queues.ping)}
    failing = [name for name, part in parts.items() if not part["ok"]]
    return {"status": "ok" if not failing else "unavailable", "failing": failing, "parts": parts}
