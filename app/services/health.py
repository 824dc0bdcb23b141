"""Reachability of the parts Parley needs: MongoDB and Redis."""

from app import db, queues


def _probe(check):
    try:
        check()
        return {"ok": True}
    except Exception as exc:  # any failure means "not reachable"; the reason is reported
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def check_health():
    parts = {"mongodb": _probe(db.ping), "redis": _probe(queues.ping)}
    failing = [name for name, part in parts.items() if not part["ok"]]
    return {"status": "ok" if not failing else "unavailable", "failing": failing, "parts": parts}
