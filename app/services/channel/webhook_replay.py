"""Replaying webhook events Parley could not store (kept in `webhook_failures` by the endpoint).

Each event goes through the same ingest as when it arrived; one that now succeeds is removed
from the list, one that fails again stays with its newest error. Deduplication makes a replay of
an event that did get stored meanwhile harmless.
"""

import json
import logging

from app.db import get_db
from app.providers.events import event_from_dict
from app.services import clock
from app.services.conversations import inbound

log = logging.getLogger(__name__)


def replay_failures(limit=500):
    """Replay the oldest failures first; returns counts: replayed, failed, orphaned (account gone)."""
    counts = {"replayed": 0, "failed": 0, "orphaned": 0}
    db = get_db()
    for failure in db.webhook_failures.find({}, sort=[("at", 1)], limit=limit):
        account = db.accounts.find_one({"_id": failure["account_id"]})
        if account is None:
            db.webhook_failures.delete_one({"_id": failure["_id"]})
            counts["orphaned"] += 1
            continue
        try:
            event = failure["event"] if "event" in failure else json.loads(failure["event_json"])
            inbound.ingest(account, [event_from_dict(event)])
        except Exception as exc:  # recorded on the failure, as the endpoint does, for the next replay
            log.exception("replay of webhook failure %s failed again", failure["_id"])
            db.webhook_failures.update_one(
                {"_id": failure["_id"]},
                {"$set": {"error": f"{type(exc).__name__}: {exc}", "replayed_at": clock.now()}, "$inc": {"replays": 1}},
            )
            counts["failed"] += 1
            continue
        db.webhook_failures.delete_one({"_id": failure["_id"]})
        counts["replayed"] += 1
    return counts
