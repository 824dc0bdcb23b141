"""Draining the inbox: accepted events applied in rounds, each customer's in the customer's order.

A round is two round trips to Redis whatever its size (three while redis-py checks that its
scripts are loaded): `inbox.claim` locks every customer whose earliest event has waited
``hold_ms`` (and that no other drain holds) and takes their due events; the events are applied
one after the other, their follow-ups (live events, jobs, emits) held in a Redis batch; then one
MULTI/EXEC carries those follow-ups, `inbox.finish` (the applied events removed, their messages
marked done, the locks released) and, last, the emits' publishes. An event is removed only once
applied with its follow-ups in Redis: a worker that dies mid-round leaves its events to the next
drain once their locks expire, and `inbound.ingest` makes the repeat harmless.

The hold lets a webhook that arrives late, carrying an earlier message, overtake the later ones
still waiting. A round applies events for at most ``slice_seconds`` (the rest stay for the next
round): where the worker shares its process with the web server, that bounds how long webhooks
wait for it. A drain ends when nothing is pending, when another drain job is queued to take over,
or after ``BUDGET_SECONDS`` (queuing its successor). An outage keeps the unapplied events and
drains again later with backoff.
"""

import logging
import time
from collections import Counter

from redis.exceptions import RedisError

from app import jobs, redis_batch
from app.realtime import push
from app.services.access.access_rules import as_oid
from app.services.campaigns import campaign_replies
from app.services.channel import accounts, inbox, webhooks
from app.services.errors import NotFound

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 300
SLICE_SECONDS = 0.15  # PARLEY_INBOUND_SLICE_MS's default
BUDGET_SECONDS = 20.0
#: How long to wait when due customers are held by another drain or wait for a late event.
IDLE_POLL_SECONDS = 0.02
#: A drain waiting for the hold looks at least this often whether another drain was queued.
LOOK_AGAIN_SECONDS = 0.5
#: Events the first round of a drain claims, and the fewest any round claims.
FIRST_CLAIM = 50
MIN_CLAIM = 10


def drain(hold_ms=0, attempt=1, budget_seconds=BUDGET_SECONDS, slice_seconds=SLICE_SECONDS, lock_ttl_ms=inbox.LOCK_TTL_MS):
    """Apply what the inbox has due, round after round.

    Returns ``applied`` (counts by outcome: stored, duplicate, …) and ``end``: ``done`` (nothing
    pending), ``busy`` (what is pending is held by another drain, which goes on with it),
    ``later`` (another drain job is queued and takes over), ``budget`` (time is up: a successor
    is queued) or ``retry`` (an outage: drained again later).
    """
    inbox.clear_marker()
    applied = Counter()
    deadline = time.monotonic() + budget_seconds
    most = FIRST_CLAIM
    while time.monotonic() < deadline:
        try:
            claim = inbox.claim(hold_ms, most_events=most, lock_ttl_ms=lock_ttl_ms)
        except RedisError as exc:
            log.warning("inbox not claimed: %r", exc)
            return _retry_later(attempt, applied)
        if claim.customers:
            this_round = Counter()
            outcome = _round(claim, this_round, slice_seconds)
            applied.update(this_round)
            if outcome == "retry":
                return _retry_later(attempt, applied)
            most = _next_claim(claim, this_round.total())
            continue
        if claim.wait_ms is None:
            return {"applied": dict(applied), "end": "done"}
        if claim.held_elsewhere and not claim.wait_ms:
            return {"applied": dict(applied), "end": "busy"}
        if inbox.drain_queued():
            return {"applied": dict(applied), "end": "later"}
        time.sleep(min(max(claim.wait_ms / 1000, IDLE_POLL_SECONDS), LOOK_AGAIN_SECONDS))
    if inbox.mark():
        jobs.enqueue(jobs.DRAIN_INBOX, attempt=1)
    return {"applied": dict(applied), "end": "budget"}


def _next_claim(claim, applied_count):
    """How many events to claim next: what a slice applied, doubled (so a round takes about what it
    can apply, rather than events it hands back), up to the claim's cap once a round applied all."""
    claimed = sum(len(customer.entries) for customer in claim.customers)
    if applied_count >= claimed:
        return inbox.CLAIM_EVENTS
    return min(max(2 * applied_count, MIN_CLAIM), inbox.CLAIM_EVENTS)


def _retry_later(attempt, applied):
    delay = min(2**attempt, MAX_RETRY_DELAY)
    try:
        if inbox.mark():  # otherwise a webhook has just queued a drain, which tries again soon
            jobs.enqueue(jobs.DRAIN_INBOX, delay=delay, attempt=attempt + 1)
    except RedisError:  # the sweep enqueues a drain once the marker is gone
        log.warning("drain retry not scheduled: Redis does not answer")
    log.warning("inbox: drain attempt %d failed, tried again in %d s", attempt, delay)
    return {"applied": dict(applied), "end": "retry"}


def _round(claim, applied, slice_seconds):
    """Apply the claimed events (counted in `applied`, this round's) for at most `slice_seconds`,
    then send their follow-ups and the claim's end in one MULTI/EXEC. "retry" when an outage
    stopped it."""
    batch = redis_batch.Batch()
    outcome = "done"
    stop_at = time.monotonic() + slice_seconds
    with batch.collecting(), campaign_replies.waits_of(customer.key for customer in claim.customers):
        for customer in claim.customers:
            outcome = _apply_customer(customer, applied, stop_at)
            if outcome != "done":
                break
    inbox.finish(claim, batch.pipe)
    unqueued = push.emit_on(batch.pipe, batch.emits)
    try:
        batch.flush()
    except RedisError as exc:
        log.warning("inbox: follow-ups of a round not sent: %r", exc)
        return "retry"
    push.emit_all(unqueued)
    return "retry" if outcome == "retry" else "done"


def _apply_customer(customer, applied, stop_at):
    """Apply one customer's claimed events in order until time is up ("time"); what is applied
    (or set aside) goes to `customer.done`."""
    account = _account(customer.key)
    if account == "retry":
        return "retry"
    for member, word, mark in customer.entries:
        if time.monotonic() > stop_at and applied.total():
            return "time"  # the rest waits for the next round, still in order
        try:
            entry = inbox.parse(member)
        except (ValueError, TypeError, KeyError):
            log.error("inbox %s: unreadable entry set aside: %r", customer.key, member[:500])
            customer.done.append((member, mark))
            continue
        if account is None:
            log.warning("inbox %s: event %s dropped, its account was deleted", customer.key, entry.event.provider_message_id)
            applied["orphaned"] += 1
        elif word == "done":
            applied["duplicate"] += 1
        else:
            try:
                applied.update(webhooks.apply(account, entry.event, entry.received_at, retry=word == "started"))
            except (webhooks.RetryLater, RedisError) as exc:
                log.warning("inbox %s: %r", customer.key, exc)
                return "retry"
        customer.done.append((member, mark))
    return "done"


def _account(key):
    """The inbox's account, None when it was deleted, or "retry" when the database does not answer."""
    try:
        return accounts.cached_account(as_oid(key.split(":", 1)[0], "account"))
    except NotFound:
        return None
    except webhooks.RETRYABLE_FAULTS as exc:
        log.warning("inbox %s: account not read: %r", key, exc)
        return "retry"
