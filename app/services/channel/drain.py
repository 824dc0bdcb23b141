"""Draining one customer's inbox: its events applied one at a time, in the customer's order.

The drain holds the customer's lock, applies the earliest event (by the customer's timestamp)
once it has waited ``hold_ms`` in the inbox, and removes it only after it was applied: a worker
that dies mid-way leaves the event for the next drain, and ``inbound.ingest`` makes the repeat
harmless. The hold lets a webhook that arrives late, carrying an earlier message, overtake the
later ones still waiting. A worker waits out the hold only when no other job waits for it;
otherwise the drain queues itself again behind that work, so holds never stall a busy worker.
After releasing the lock the inbox is looked at again, so an event recorded while the lock was
held (its webhook saw the drain as queued or running) is not left behind. An outage leaves the
event in place and schedules the drain again with backoff.
"""

import logging
import time
from collections import Counter

from redis.exceptions import RedisError

from app import jobs, queues
from app.services.access.access_rules import as_oid
from app.services.channel import accounts, inbox, webhooks
from app.services.errors import NotFound

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 300


def drain(key, attempt=1, hold_ms=0):
    """Apply what the customer ``key`` (``{account}:{customer}``) has waiting.

    Returns ``applied`` (counts by outcome: stored, duplicate, …) and ``end``: ``done``, ``busy``
    (another worker holds the lock and looks again when done), ``lost`` (the lock expired under
    us), ``later`` (the next event is not due and other jobs wait: queued again behind them) or
    ``retry`` (an outage: drained again later).
    """
    inbox.clear_marker(key)
    applied = Counter()
    while True:
        held = inbox.lock(key)
        if held is None:
            return {"applied": dict(applied), "end": "busy"}
        try:
            end = _apply_waiting(key, held, hold_ms, applied)
        finally:
            held.release()
        if end == "retry":
            _retry_later(key, attempt)
        elif end == "later" and inbox.mark(key):  # otherwise a drain is queued already
            jobs.enqueue(jobs.DRAIN_INBOX, key=key, attempt=attempt)
        if end != "done" or not inbox.has_events(key):
            return {"applied": dict(applied), "end": end}


def _retry_later(key, attempt):
    delay = min(2**attempt, MAX_RETRY_DELAY)
    if inbox.mark(key):  # otherwise a webhook has just queued a drain, which tries again soon
        jobs.enqueue(jobs.DRAIN_INBOX, delay=delay, key=key, attempt=attempt + 1)
    log.warning("inbox %s: drain attempt %d failed, tried again in %d s", key, attempt, delay)


def _apply_waiting(key, held, hold_ms, applied):
    account = _account(key)
    if account == "retry":
        return "retry"
    while True:
        member = inbox.head(key)
        if member is None:
            return "done"
        try:
            entry = inbox.parse(member)
        except (ValueError, TypeError, KeyError):
            log.error("inbox %s: unreadable entry set aside: %r", key, member[:500])
            if not inbox.remove(key, member, held):
                return "lost"
            continue
        wait_ms = entry.arrived_ms + hold_ms - int(time.time() * 1000)
        if wait_ms > 0:
            if queues.get_queue(jobs.DRAIN_INBOX.queue).count:
                return "later"  # other work is waiting: do it, and come back to this inbox after it
            time.sleep(wait_ms / 1000)
            continue  # an earlier message may have arrived meanwhile: it is the head now
        if account is None:
            log.warning("inbox %s: event %s dropped, its account was deleted", key, entry.event.provider_message_id)
            applied["orphaned"] += 1
        else:
            try:
                said = inbox.begin(account["_id"], entry.event)
                if said == "done":
                    applied["duplicate"] += 1
                else:
                    applied.update(webhooks.apply(account, entry.event, entry.received_at, retry=said == "started"))
            except (webhooks.RetryLater, RedisError) as exc:
                log.warning("inbox %s: %r", key, exc)
                return "retry"
        if not inbox.remove(key, member, held, entry.event):
            return "lost"


def _account(key):
    """The inbox's account, None when it was deleted, or "retry" when the database does not answer."""
    try:
        return accounts.cached_account(as_oid(key.split(":", 1)[0], "account"))
    except NotFound:
        return None
    except webhooks.RETRYABLE_FAULTS as exc:
        log.warning("inbox %s: account not read: %r", key, exc)
        return "retry"
