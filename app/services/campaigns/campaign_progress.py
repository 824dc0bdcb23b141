"""A campaign's progress (recipients by state, failures by reason) and its live publishing to admins.

Whatever moves a campaign's recipients calls `changed(campaign_id)`: one HINCRBY in Redis (queued
on the caller's Redis batch when there is one, so a drain round pays no extra round trip), no
database read. Processes holding an admin's socket sweep a few times a second (`publish_changed`,
run by app/realtime/handlers.py): a lock in Redis lets one sweep run at a time across every process,
at least SWEEP_SECONDS after the last one ended, and a sweep publishes each campaign that changed
since once. So a campaign sending 1,000 messages a second is published a few times a second,
whichever processes sent them.

The last change of a burst is always published last: a sweep forgets a campaign only if its change
counter did not move while it was read and published, else the next sweep publishes it again,
reading after that change; sweeps never overlap, so none sends older counts after a newer one. A
change of the campaign's own state (pause, resume, cancel, done, an expired token's pause) is
published at once (`publish`), then noted as a change too: a sweep that read the campaign before
it is followed by one that reads it after.

Publishing is a courtesy to the admins watching: Redis not answering is logged, never raised into
a send or a pause (the Socket.IO message queue logs its own failures and raises none).
"""

import logging
import time

from bson import ObjectId
from redis.exceptions import RedisError

from app import queues, redis_batch
from app.db import get_db
from app.domain.campaign_shapes import RECIPIENT_STATES
from app.realtime.push import ADMINS_ROOM, emit
from app.services.setup.records import object_id

log = logging.getLogger(__name__)

EVENT = "campaign_progress"
CHANGED_KEY = "parley:campaigns:changed"  # hash: campaign id -> changes since it was last published
SWEEP_KEY = "parley:campaigns:sweep"
SWEEP_SECONDS = 0.25
HOLD_SECONDS = 10  # a sweep takes far less; a process that died sweeping holds the others up this long
NO_REASON = "The provider gave no reason."

# KEYS: the sweep lock, the changed hash. ARGV: how long a sweep may hold the lock, and the gap
# after a sweep, in milliseconds. The hash's pairs (campaign id, counter), or nil when another
# sweep runs or ended less than the gap ago.
_TAKE = """
if not redis.call('SET', KEYS[1], 1, 'NX', 'PX', ARGV[1]) then return nil end
local changed = redis.call('HGETALL', KEYS[2])
if #changed == 0 then redis.call('SET', KEYS[1], 1, 'PX', ARGV[2]) end
return changed
"""
# KEYS: the sweep lock, the changed hash. ARGV: the gap in milliseconds, then campaign id, counter,
# ... as taken. Forget those whose counter did not move since; the next sweep waits for the gap.
_FORGET = """
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[2], ARGV[i]) end
end
redis.call('SET', KEYS[1], 1, 'PX', ARGV[1])
"""


def progress(campaign_id):
    """How many recipients are in each state: a count per state, each served by the (campaign,
    state) index alone (a grouping would read every recipient document: 64 s for a campaign of
    100,000 on the embedded engine, at every publish)."""
    campaign_id = object_id(campaign_id, "campaign")
    count = get_db().campaign_recipients.count_documents
    return {state: count({"campaign_id": campaign_id, "state": state}) for state in RECIPIENT_STATES}


def failures(campaign_id):
    """The failed recipients by the provider's error code, most frequent first: [{code, sentence, count}]."""
    grouped = get_db().campaign_recipients.aggregate([
        {"$match": {"campaign_id": object_id(campaign_id, "campaign"), "state": "failed"}},
        {"$group": {"_id": "$error.code", "count": {"$sum": 1}, "sentence": {"$first": "$error.sentence"}}},
    ])
    rows = [{"code": row["_id"], "sentence": row["sentence"] or NO_REASON, "count": row["count"]} for row in grouped]
    return sorted(rows, key=lambda row: (-row["count"], str(row["code"])))  # in Python: a code may be missing


def figures(campaign):
    """What a campaign's row shows: its state, its counts by state, how many in all and how many done."""
    counts = progress(campaign["_id"])
    total = sum(counts.values())
    return {"campaign_id": str(campaign["_id"]), "state": campaign["state"],
            "paused_because": campaign.get("paused_because"), "counts": counts, "total": total,
            "done": total - counts["pending"] - counts["sending"]}


def snapshot(campaign):
    """What a campaign's page shows of its progress, as published live: `figures` and the failures."""
    return {**figures(campaign), "failures": failures(campaign["_id"])}


def changed(campaign_id):
    """Note that the campaign's recipients moved: it is published at the next sweep."""
    batch = redis_batch.current()
    try:
        (batch.pipe if batch is not None else queues.get_redis()).hincrby(CHANGED_KEY, str(campaign_id), 1)
    except RedisError as exc:
        log.warning("progress of campaign %s not noted: %r", campaign_id, exc)


def publish(campaign_id):
    """Send the campaign's progress to admins now (its state changed); the next sweep sends it again
    (a sweep under way may have read it before the change, and send that after this)."""
    _send(campaign_id)
    changed(campaign_id)


def _send(campaign_id):
    campaign = get_db().campaigns.find_one({"_id": object_id(campaign_id, "campaign")}, {"state": 1, "paused_because": 1})
    if campaign is not None:
        emit(EVENT, snapshot(campaign), ADMINS_ROOM)


def publish_changed():
    """One sweep: publish every campaign that changed since the last one, unless another sweep runs
    or ended less than SWEEP_SECONDS ago. Returns how many were published."""
    gap = int(SWEEP_SECONDS * 1000)
    taken = queues.run_script(_TAKE, [SWEEP_KEY, CHANGED_KEY], [HOLD_SECONDS * 1000, gap])
    if not taken:
        return 0
    sent, started = [], time.monotonic()
    try:
        for campaign_id, counter in zip(taken[::2], taken[1::2], strict=True):
            _send(ObjectId(campaign_id.decode()))
            sent.append((campaign_id, counter))
    finally:  # what was not sent stays for the next sweep
        # Counting a campaign of 100,000 recipients takes a while (on the embedded engine, in the
        # process that sends it): the sweeps then space out, never taking more than a fifth of the time.
        gap = max(gap, int((time.monotonic() - started) * 4000))
        queues.run_script(_FORGET, [SWEEP_KEY, CHANGED_KEY], [gap, *(value for pair in sent for value in pair)])
    return len(sent)
