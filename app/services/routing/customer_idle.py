"""Closing conversations the customer has left (a queue's `inactivity`, off by default).

The customer is idle from their last message (`last_inbound_at`), even when an agent wrote after it.
The rule only applies while the business side (an agent, the bot, the system) wrote last: a customer
whose message waits for an answer is never nudged nor closed (that wait is the first-response rule's).
Interactions the customer never wrote in (an agent's template waiting for a reply) are left alone, and
so are those waiting in the queue that no agent ever had: what the business wrote last there is an
automatic message to a waiting customer, who is waiting for us, not idle.

After `customer_idle_minutes`, the customer gets the queue's nudge once, as a system message stored
in the conversation and sent by the normal delivery job, and only inside the 24-hour window; the
interaction closes as "Timeout" `close_after_nudge_minutes` later unless the customer writes. With no
nudge text, or the window closed, it closes at `customer_idle_minutes`. The nudge records which
silence it answered (`idle_nudge.for`, the customer's last message time then), so a new customer
message starts a new silence, and a second run or worker at the same moment nudges nothing more:
every change is a conditional update on what was read.
"""

from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from app.db import get_db
from app.domain import messages as msgs
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.conversations import lifecycle, live, routing
from app.services.conversations.delivery import enqueue_delivery
from app.services.serialize import plain

TIMEOUT = "Timeout"
STATUSES = ["open", "queued"]
FIELDS = {"last_inbound_at": 1, "idle_nudge": 1, "window_expires_at": 1, "status": 1, "first_agent_id": 1}


def settings_of(queue):
    return (queue or {}).get("inactivity") or {}


def close_idle(queues):
    """Nudge or close the queues' interactions whose customer went quiet; returns {"nudged", "closed"}."""
    now = clock.now()
    done = {"nudged": 0, "closed": 0}
    for queue in queues:
        rule = settings_of(queue)
        if not rule.get("customer_idle_minutes"):
            continue
        quiet = {
            "queue_id": queue["_id"],
            "status": {"$in": STATUSES},
            "last_message.direction": "out",
            "last_inbound_at": {"$lte": now - timedelta(minutes=rule["customer_idle_minutes"])},
            "is_open": True,
        }
        for candidate in get_db().interactions.find(quiet, FIELDS):
            if candidate["status"] == "queued" and not candidate.get("first_agent_id"):
                continue  # no agent ever answered: what the business wrote last was automatic (waiting messages)
            outcome = _settle(candidate, rule, now)
            if outcome:
                done[outcome] += 1
    return done


def _settle(candidate, rule, now):
    """Nudge or close one quiet interaction when it is due: "nudged", "closed" or None."""
    silence = {"last_inbound_at": candidate["last_inbound_at"]}  # unchanged: the customer did not write since
    idle = rule["customer_idle_minutes"]
    nudge = candidate.get("idle_nudge") or {}
    if nudge and clock.aware(nudge["for"]) == clock.aware(candidate["last_inbound_at"]):
        after = rule.get("close_after_nudge_minutes") or 0
        if now < clock.aware(nudge["at"]) + timedelta(minutes=after):
            return None
        return _close(candidate["_id"], idle + after, silence)
    if rule.get("nudge_text") and window_is_open(candidate, now):
        return _nudge(candidate, rule["nudge_text"], silence, now)
    return _close(candidate["_id"], idle, silence)


def _nudge(candidate, text, silence, now):
    """Store the nudge (claiming this silence in the same update) and queue its sending."""
    message = {"id": msgs.new_id(), "direction": "out", "author": "system", "kind": "text", "status": "queued",
               "status_rank": msgs.STATUS_RANK["queued"], "at": now, "reactions": {}, "text": text}
    claim = {
        **silence,
        "_id": candidate["_id"],
        "is_open": True,
        "status": {"$in": STATUSES},
        "idle_nudge.for": {"$ne": candidate["last_inbound_at"]},
    }
    update = {
        "$set": {"idle_nudge": {"at": now, "for": candidate["last_inbound_at"]}, "updated_at": now,
                 "last_message": msgs.summary(message), "last_outbound_message_id": message["id"]},
        "$inc": {"seq": 1, "messages_len": 1, "message_count": 1},
    }
    doc = lifecycle.append_line(claim, update, message)
    if doc is None:
        return None
    live.publish(doc, "message", {"message": plain(msgs.with_position(message, doc)), "interaction": routing.card(doc)})
    enqueue_delivery(doc["_id"], message["id"])
    return "nudged"


def _close(interaction_id, minutes, silence):
    _ensure_timeout_disposition()
    reason = f"Closed automatically: the customer did not answer for {minutes} minutes"
    closed = lifecycle.close_by_system(interaction_id, reason, TIMEOUT, where={**silence, "status": {"$in": STATUSES}})
    return "closed" if closed else None


def _ensure_timeout_disposition():
    """The disposition "Timeout" exists in the admins' list (created the first time it is needed)."""
    try:
        get_db().dispositions.update_one(
            {"name": TIMEOUT},
            {"$setOnInsert": {"description": "Closed automatically: the customer stopped answering.",
                              "created_at": clock.now(), "updated_at": clock.now()}},
            upsert=True,
        )
    except DuplicateKeyError:  # created at the same moment by another run
        pass
