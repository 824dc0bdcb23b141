"""The periodic purge: deletes what is kept past its retention period (policy.py), in bounded batches.

Only closed interactions are touched (`is_open` false), found by their `closed_at` index, oldest
first. An interaction past `interactions_days` goes with its messages, their attachments in GridFS,
its provider errors and the live events Redis kept for it; the interaction is deleted first, on the
condition that it is still closed, so one reopened meanwhile keeps everything. Each batch's ids are
written down (`retention_marks`) before its interactions are deleted, so a run cut off between the
two steps leaves nothing behind: the next run cleans up after that batch first. Attachments alone go
after `media_days`: their messages stay, with `media.state` "deleted". That pass remembers how far
it got (`retention_marks`), since the interactions it went through stay. A run stops after
`budget_seconds` and the next one goes on.
"""

import logging
import secrets
import time
from datetime import timedelta

from pymongo import ASCENDING

from app import queues
from app.db import get_db
from app.services import clock
from app.services.attachments import media_store
from app.services.conversations import live, message_store
from app.services.retention import files

log = logging.getLogger(__name__)

BATCH = 200
MEDIA_MARK = "media"
IN_FLIGHT = "interactions-in-flight"
LOCK_KEY = "parley:retention-purge"
#: The lock outlives the run's budget by this much: the last batch, and the job timeout (300 s) beyond.
LOCK_MARGIN_SECONDS = 180


def run(retention, budget_seconds=120.0, batch=BATCH):
    """Purge what `retention` no longer keeps; returns the counts deleted, by kind, or "busy" when
    another purge runs (two would share the batch written down in flight)."""
    redis, token = queues.get_redis(), secrets.token_hex(8)
    if not redis.set(LOCK_KEY, token, nx=True, ex=int(budget_seconds) + LOCK_MARGIN_SECONDS):
        return "busy"
    try:
        return _run(retention, budget_seconds, batch)
    finally:
        queues.run_script(queues.RELEASE_IF_MINE, [LOCK_KEY], [token])


def _run(retention, budget_seconds, batch):
    deadline = time.monotonic() + budget_seconds
    now = clock.now()
    counts = {
        "interactions": 0,
        "messages": 0,
        "media_files": 0,
        "media_messages": 0,
        "webhook_failures": 0,
        "provider_errors": 0,
    }
    if retention.interactions_days:
        _purge_interactions(now - timedelta(days=retention.interactions_days), batch, deadline, counts)
    if retention.media_days:
        _purge_media(now - timedelta(days=retention.media_days), batch, deadline, counts)
    for kind, days in (
        ("webhook_failures", retention.webhook_failures_days),
        ("provider_errors", retention.provider_errors_days),
    ):
        counts[kind] += _purge_by_date(get_db()[kind], now - timedelta(days=days), batch, deadline)
    log.info("retention purge: %s", counts)
    return counts


def _closed_before(cutoff, batch, after=None):
    """The ids and closing times of a batch of interactions closed before `cutoff` (after `after`), oldest first."""
    closed_at = {"$lt": cutoff, **({"$gt": after} if after else {})}
    return list(
        get_db().interactions.find(
            {"closed_at": closed_at, "is_open": False},
            {"closed_at": 1},
            sort=[("closed_at", ASCENDING)],
            limit=batch,
        )
    )


def _purge_interactions(cutoff, batch, deadline, counts):
    _clean_up_after(counts)  # a batch a run cut off (its worker killed) deleted but did not clean up
    marks = get_db().retention_marks
    while time.monotonic() < deadline:
        found = [doc["_id"] for doc in _closed_before(cutoff, batch)]
        if not found:
            return
        # Written down before the deletion, so that what the batch leaves is cleaned up even if this run dies.
        marks.update_one({"_id": IN_FLIGHT}, {"$set": {"ids": found}}, upsert=True)
        get_db().interactions.delete_many({"_id": {"$in": found}, "is_open": False})
        _clean_up_after(counts)
        if len(found) < batch:
            return


def _clean_up_after(counts):
    """Delete what the interactions of the batch in flight left behind (messages, attachments, provider
    errors, live events); those still there were reopened, or not deleted yet, and keep everything."""
    marks = get_db().retention_marks
    pending = (marks.find_one({"_id": IN_FLIGHT}) or {}).get("ids") or []
    if pending:
        remaining = {doc["_id"] for doc in get_db().interactions.find({"_id": {"$in": pending}}, {"_id": 1})}
        gone = [i for i in pending if i not in remaining]
        counts["media_files"] += files.delete_only_of(gone)
        counts["messages"] += message_store.delete_of(gone)
        get_db().provider_errors.delete_many({"interaction_id": {"$in": gone}})
        live.forget(gone)
        counts["interactions"] += len(gone)
    marks.delete_one({"_id": IN_FLIGHT})


def _purge_media(cutoff, batch, deadline, counts):
    marks = get_db().retention_marks
    mark = (marks.find_one({"_id": MEDIA_MARK}) or {}).get("closed_at")
    reason = "Deleted after the retention period."
    while time.monotonic() < deadline:
        found = _closed_before(cutoff, batch, after=mark)
        if not found:
            return
        if len(found) == batch:  # the batch may end inside a group closed at the same instant: take it whole
            last = found[-1]["closed_at"]
            seen = {doc["_id"] for doc in found}
            tied = get_db().interactions.find({"closed_at": last, "is_open": False}, {"closed_at": 1})
            found += [doc for doc in tied if doc["_id"] not in seen]
        ids = [doc["_id"] for doc in found]
        going = files.only_of(ids)  # a file a conversation outside the batch, or a template, uses stays
        if going:
            counts["media_files"] += media_store.delete(going)
            counts["media_messages"] += message_store.mark_media_deleted(ids, going, reason)
        mark = found[-1]["closed_at"]
        marks.update_one({"_id": MEDIA_MARK}, {"$set": {"closed_at": mark}}, upsert=True)
        if len(found) < batch:
            return


def _purge_by_date(collection, cutoff, batch, deadline):
    """Delete the documents of `collection` whose `at` is before `cutoff`, a batch at a time."""
    deleted = 0
    while time.monotonic() < deadline:
        ids = [doc["_id"] for doc in collection.find({"at": {"$lt": cutoff}}, {"_id": 1}, limit=batch)]
        if not ids:
            break
        deleted += collection.delete_many({"_id": {"$in": ids}}).deleted_count
        if len(ids) < batch:
            break
    return deleted
