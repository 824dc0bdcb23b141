"""Customer messages into interactions (DESIGN: flow of one inbound message, steps 2–4).

Each message is claimed once by its provider id (a unique key in `webhook_events`), the
contact is found or created by number, the open interaction of (account, contact) is found or
created, and the message is appended in one atomic update that also moves the service window,
the last-message summary, the unread count and the event sequence.
"""

import logging
from collections import Counter

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app import jobs
from app.db import get_db
from app.domain import messages as msgs
from app.domain import search
from app.domain.window import expiry_after
from app.services import clock
from app.services.contacts import number_lookup
from app.services.conversations import dedup, lifecycle, live, reactions, routing, statuses
from app.services.serialize import plain

log = logging.getLogger(__name__)

APPEND_ATTEMPTS = 3


def ingest(account, events, received_at=None):
    """Store a parsed webhook's events; returns counts by outcome (stored, duplicate, ...).

    `received_at` is when the webhook reached Parley (now by default): kept on each message, so
    the dashboard can tell how long Parley took to show it to agents.
    """
    report = Counter()
    for event in events:
        reason = malformed(event)
        if reason:
            log.warning(
                "%s event %s for account %s refused as malformed: %s",
                event.provider,
                event.provider_message_id,
                account["_id"],
                reason,
            )
            report["malformed"] += 1
        elif event.event_type == "status":
            report[statuses.apply(account, event)] += 1
        else:
            report[ingest_message(account, event, received_at)] += 1
    return report


def malformed(event):
    """Why the event cannot be taken, or None: a text with no text would open an empty conversation."""
    if event.event_type == "malformed":
        return event.reason
    if event.event_type == "message" and event.kind == "text" and not (event.text or "").strip():
        return "a text message without text"
    return None


def ingest_message(account, event, received_at=None):
    key = f"msg:{account['_id']}:{event.provider_message_id}"
    return dedup.once(key, lambda: _ingest_message(account, event, received_at or clock.now()))


def _ingest_message(account, event, received_at):
    contact = number_lookup.for_customer(account, event.sender, event.profile_name)
    if event.kind == "reaction":
        return reactions.apply_customer_reaction(account, event)
    message = msgs.from_inbound(event, received_at)
    interaction, how = store_message(account, contact, message)
    _after_store(account, interaction, message, how)
    return "stored"


def store_message(account, contact, message):
    """Append to the open interaction of (account, contact), reopening or creating one as needed.

    Returns the interaction (without messages) and how: "created", "reopened" or "appended".
    """
    for _ in range(APPEND_ATTEMPTS):
        how = "appended"
        open_one = get_db().interactions.find_one(
            {"account_id": account["_id"], "contact_id": contact["_id"], "is_open": True}, {"_id": 1}
        )
        if open_one is None:
            open_one, how = _reopen_after_recontact(account, contact), "reopened"
        if open_one is None:
            created = _create(account, contact, message)
            if created is not None:
                return created, "created"
            continue  # a concurrent webhook created it first: append to theirs
        appended = _append(open_one["_id"], message)
        if appended is not None:
            return appended, how
    raise RuntimeError(f"could not store message {message['provider_message_id']} after {APPEND_ATTEMPTS} attempts")


def _window_fields(message):
    return {"last_inbound_at": message["at"], "window_expires_at": expiry_after(message["at"])}


def new_interaction(account, contact, now, direction):
    queue = routing.cached_queue(account["queue_id"]) if account.get("queue_id") else None
    return {
        "account_id": account["_id"],
        "account_name": account["name"],
        "queue_id": account.get("queue_id"),
        "queue_name": queue["name"] if queue else None,
        "contact_id": contact["_id"],
        "contact": {"name": number_lookup.display_name(contact), "phone": contact.get("mobile") or contact.get("phone")},
        "provider": account["provider"],
        "direction": direction,
        "status": "queued",
        "is_open": True,
        "agent_id": None,
        "first_agent_id": None,
        "rejected_by": [],
        "tags": [],
        "disposition": None,
        "sentiment": None,
        "created_at": now,
        "updated_at": now,
        "accepted_at": None,
        "closed_at": None,
        "reopened_at": None,
        "reopens": [],
        "last_inbound_at": None,
        "window_expires_at": None,
        "window_expired": False,
        "last_message": None,
        "unread": 0,
        "message_count": 0,
        "seq": 1,
        "messages": [],
        "messages_len": 0,
        "previous_interaction_id": None,
        "acknowledged": None,
    }


def _create(account, contact, message):
    now = clock.now()
    doc = new_interaction(account, contact, now, "inbound")
    previous = get_db().interactions.find_one(
        {"account_id": account["_id"], "contact_id": contact["_id"]}, {"_id": 1}, sort=[("created_at", -1)]
    )
    doc.update(
        _window_fields(message),
        previous_interaction_id=previous["_id"] if previous else None,
        last_message=msgs.summary(message),
        unread=1,
        message_count=1,
        messages=[message],
        last_inbound_provider_id=message["provider_message_id"],
        messages_len=1,
        window_expired=doc_window_expired(message, now),
        search_terms=search.terms(doc["contact"]["name"], doc["contact"]["phone"], *message_texts(message)),
    )
    try:
        doc["_id"] = get_db().interactions.insert_one(doc).inserted_id
    except DuplicateKeyError:
        return None
    doc.pop("messages")
    return doc


def message_texts(message):
    """The searchable words a message brings."""
    reply = message.get("reply") or {}
    return [message.get("text"), message.get("caption"), reply.get("title"), (message.get("location") or {}).get("name")]


def doc_window_expired(message, now):
    return expiry_after(message["at"]) <= now


def _append(interaction_id, message):
    now = clock.now()
    update = {
        "$push": {"messages": message},
        "$set": {
            "last_message": msgs.summary(message),
            "last_inbound_provider_id": message["provider_message_id"],
            "updated_at": now,
        },
        "$max": _window_fields(message),
        "$inc": {"unread": 1, "seq": 1, "message_count": 1, "messages_len": 1},
    }
    words = search.terms(*message_texts(message))
    if words:
        update["$addToSet"] = {"search_terms": {"$each": words}}
    if not doc_window_expired(message, now):
        update["$set"]["window_expired"] = False
    return get_db().interactions.find_one_and_update(
        {"_id": interaction_id, "is_open": True, "messages.provider_message_id": {"$ne": message["provider_message_id"]}},
        update,
        projection={"messages": 0},
        return_document=ReturnDocument.AFTER,
    )


def _reopen_after_recontact(account, contact):
    """A reply to a recontact template sent on a closed interaction reopens it, as inbound."""
    now = clock.now()
    try:
        return get_db().interactions.find_one_and_update(
            {"account_id": account["_id"], "contact_id": contact["_id"], "awaiting_recontact_reply": True, "is_open": False},
            {
                "$set": {
                    "is_open": True,
                    "status": "queued",
                    "agent_id": None,
                    "rejected_by": [],
                    "reopened_at": now,
                    "awaiting_recontact_reply": False,
                    "direction": "inbound",
                    "updated_at": now,
                },
                "$push": {"reopens": {"at": now, "by": "customer", "reason": "recontact_reply"}},
            },
            projection={"_id": 1},
            sort=[("closed_at", -1)],
        )
    except DuplicateKeyError:
        return None


def _after_store(account, interaction, message, how):
    """Tell who may see it: a new or reopened interaction is an offer to the queue's agents."""
    payload = {"message": plain(msgs.with_position(message, interaction)), "interaction": routing.card(interaction)}
    targets = routing.offer_targets(interaction) if interaction["status"] == "queued" else ()
    if how in ("created", "reopened"):
        live.publish(interaction, "offer", payload, extra_agent_ids=targets)
    else:
        live.publish(interaction, "message", payload, extra_agent_ids=targets)
    if message.get("media"):
        jobs.enqueue(jobs.FETCH_MEDIA, interaction_id=str(interaction["_id"]), message_id=message["id"], attempt=1)
    if message.get("text") or message.get("caption"):
        jobs.enqueue(jobs.SCORE_SENTIMENT, interaction_id=str(interaction["_id"]), message_id=message["id"])
    settings = account.get("settings") or {}
    if message["kind"] == "template_reply" and settings.get("close_on_quick_reply"):
        lifecycle.close_by_system(interaction["_id"], "Closed automatically: the customer answered with a quick reply.")
