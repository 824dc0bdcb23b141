"""Customer messages into interactions (DESIGN: flow of one inbound message, steps 2–4).

A known customer's message is appended to their open interaction in one update found by number
(which also moves the service window, the last-message summary, the unread count and the event
sequence) and stored as its own document (message_store). A new customer's contact is found or
created first, then their interaction is reopened or created. The unique (account, provider id)
key of stored messages makes a provider's repeated delivery a `duplicate`.

Follow-ups (the live event or offer, the media and sentiment jobs) come after the message is
stored. A failure between the two (Redis down after storing) raises; the drain keeps the event in
its inbox and applies it again with `retry=True`, which finds the stored message and does its
follow-ups again (each is harmless twice: the live event is kept once by its number, the jobs
check what is done). So the common path writes nothing but the interaction and the message.
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
from app.services.analysis import interaction_sentiment
from app.services.assistant import conversation as assistant
from app.services.attachments import media
from app.services.campaigns import campaign_replies, opt_out
from app.services.contacts import identity_changes, whatsapp_identity
from app.services.conversations import (
    customer_edits,
    dedup,
    lifecycle,
    live,
    message_store,
    reactions,
    reply_rules,
    routing,
    statuses,
)
from app.services.routing import hours, waiting
from app.services.serialize import plain

log = logging.getLogger(__name__)

APPEND_ATTEMPTS = 3


def ingest(account, events, received_at=None, retry=False):
    """Store a parsed webhook's events; returns counts by outcome (stored, duplicate, ...).

    `received_at` is when the webhook reached Parley (now by default): kept on each message, so
    the dashboard can tell how long Parley took to show it to agents. `retry`: these events were
    being applied when a failure interrupted them; an event found stored gets its follow-ups again.
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
            report[ingest_message(account, event, received_at, retry)] += 1
    return report


def malformed(event):
    """Why the event cannot be taken, or None: a text with no text would open an empty conversation."""
    if event.event_type == "malformed":
        return event.reason
    if event.event_type == "message" and event.kind == "text" and not (event.text or "").strip():
        return "a text message without text"
    return None


def ingest_message(account, event, received_at=None, retry=False):
    if event.kind == "reaction":  # not a message: claimed once by its provider id
        key = f"msg:{account['_id']}:{event.provider_message_id}"
        return dedup.once(key, lambda: reactions.apply_customer_reaction(account, event))
    if event.kind in ("edit", "revoke"):  # a change to an earlier message, claimed once the same way
        key = f"msg:{account['_id']}:{event.provider_message_id}"
        return dedup.once(key, lambda: customer_edits.apply(account, event))
    if event.kind == "identity_change":  # a new number or BSUID for a known customer, claimed once too
        key = f"msg:{account['_id']}:{event.provider_message_id}"
        return dedup.once(key, lambda: identity_changes.apply(account, event))
    if retry:
        stored = message_store.by_provider_id(account["_id"], event.provider_message_id, "in")
        if stored is not None:
            _redo(account, stored)
            return "duplicate"
    message = msgs.from_inbound(event, received_at or clock.now())
    score = interaction_sentiment.score_of(message)
    if score is not None:
        message["sentiment"] = score
    message_store.check_storable(message)  # a refusal changes nothing
    if message.get("kind") in opt_out.KINDS and event.sender:  # before storing: a retry records it again, harmlessly
        opt_out.apply(account["_id"], event.sender, message.get("text") or (message.get("reply") or {}).get("title"))
    appended = _append_by_customer(account, event, message)
    if appended is not None:
        interaction, how = appended, "appended"
    else:
        interaction, how = _open_for(account, event, message)
    if _keep(account, interaction, message, how) is None:
        return "duplicate"
    _after_store(account, interaction, message, how)
    return "stored"


def _open_for(account, event, message):
    """(interaction, how) for a customer with no open interaction found by number or BSUID: the answer
    to a recontact template reopens its interaction; a new contact's first message creates one at once;
    otherwise the contact's interaction is found, reopened or created (store_message)."""
    reopened = None
    for whose in _customer_fields(event):
        reopened = reopened or _reopen_after_recontact({"account_id": account["_id"], **whose})
    if reopened is not None:
        appended = _append({"_id": reopened["_id"]}, message)
        if appended is not None:
            return appended, "reopened"
    contact, created = whatsapp_identity.find_or_create(account, event)
    if created:  # no interaction can exist yet (one customer's events are applied one at a time)
        interaction = _create(account, contact, message, previous=None)
        if interaction is not None:
            return interaction, "created"
    return store_message(account, contact, message)


def _keep(account, interaction, message, how):
    """Store the message document at the position its interaction's update gave it (its media
    bytes into GridFS first). None when the message is stored already (a provider's repeated
    delivery, or a concurrent one): the counters move back."""
    media.store_inline(account, interaction["_id"], message)
    try:
        followups = {"seq": interaction["seq"], "how": how, "scored": _scored_count(interaction)}
        return message_store.append(interaction, message, followups=followups)
    except DuplicateKeyError:
        back = {"unread": -1, "message_count": -1}
        if message.get("sentiment"):
            back["sentiment_scores.messages"] = -1
        get_db().interactions.update_one({"_id": interaction["_id"]}, {"$inc": back})
        log.info("message %s was stored already", message.get("provider_message_id"))
        return None


def store_message(account, contact, message):
    """Append to the open interaction of (account, contact), reopening or creating one as needed.

    Returns the interaction (without messages) and how: "created", "reopened" or "appended"; the
    message document itself is stored by the caller (message_store.append).
    """
    for _ in range(APPEND_ATTEMPTS):
        how = "appended"
        open_one = get_db().interactions.find_one(
            {"account_id": account["_id"], "contact_id": contact["_id"], "is_open": True}, {"_id": 1}
        )
        if open_one is None:
            open_one, how = _reopen_after_recontact({"account_id": account["_id"], "contact_id": contact["_id"]}), "reopened"
        if open_one is None:
            created = _create(account, contact, message)
            if created is not None:
                return created, "created"
            continue  # a concurrent webhook created it first: append to theirs
        appended = _append({"_id": open_one["_id"]}, message)
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
        "contact": whatsapp_identity.interaction_contact(account, contact),
        "provider": account["provider"],
        "direction": direction,
        "status": "queued",
        "queued_at": now,
        "offer": None,
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
        "messages_len": 0,
        "previous_interaction_id": None,
        "acknowledged": None,
    }


_UNKNOWN = object()


def _create(account, contact, message, previous=_UNKNOWN):
    """Insert the contact's new interaction holding `message`; `previous` (its interaction before,
    or None for a new contact) is looked up when not given. None when a concurrent one won."""
    now = clock.now()
    doc = new_interaction(account, contact, now, "inbound")
    doc["status"] = assistant.first_status(account)  # "bot" while the account's AI assistant answers first
    if doc["status"] == assistant.BOT:
        doc["assistant"] = assistant.fresh_state(now)
    if previous is _UNKNOWN:
        previous = get_db().interactions.find_one(
            {"account_id": account["_id"], "contact_id": contact["_id"]}, {"_id": 1}, sort=[("created_at", -1)]
        )
    doc.update(
        _window_fields(message),
        previous_interaction_id=previous["_id"] if previous else None,
        last_message=msgs.summary(message),
        unread=1,
        message_count=1,
        last_inbound_provider_id=message["provider_message_id"],
        awaiting_reply_since=message["at"],
        messages_len=1,
        window_expired=doc_window_expired(message, now),
        sentiment_scores={"messages": 1 if message.get("sentiment") else 0},
        search_terms=search.terms(doc["contact"]["name"], doc["contact"]["phone"], doc["contact"].get("username")),
    )
    try:
        doc["_id"] = get_db().interactions.insert_one(doc).inserted_id
    except DuplicateKeyError:
        return None
    return doc


def doc_window_expired(message, now):
    return expiry_after(message["at"]) <= now


def _customer_fields(event):
    """How an interaction names the sender: by number when WhatsApp gives it, by BSUID."""
    fields = []
    if event.sender:
        fields.append({"contact.phone": event.sender})
    if event.user_id:
        fields.append({"contact.user_id": event.user_id})
    return fields


def _append_by_customer(account, event, message):
    """A known customer's open interaction after appending, found by BSUID or number in the same
    update; or None. What the event adds to what the interaction knew of its customer (the number
    of a customer first seen without one, a BSUID) is recorded on it and its contact."""
    appended = None
    for whose in reversed(_customer_fields(event)):  # the BSUID first: it stays when the number comes and goes
        appended = appended or _append({"account_id": account["_id"], **whose}, message)
    return appended and whatsapp_identity.merge_into_interaction(account, appended, event)


def _append(key, message):
    now = clock.now()
    update = {
        "$set": {
            "last_message": msgs.summary(message),
            "last_inbound_provider_id": message["provider_message_id"],
            "updated_at": now,
        },
        "$max": _window_fields(message),
        # The customer's earliest message no agent has answered yet (the first-response rule's clock).
        "$min": {"awaiting_reply_since": message["at"]},
        "$inc": {"unread": 1, "seq": 1, "message_count": 1, "messages_len": 1},
    }
    if message.get("sentiment"):  # its ordinal among the scored messages (interaction_sentiment)
        update["$inc"]["sentiment_scores.messages"] = 1
    filter_ = {**key, "is_open": True}
    if not doc_window_expired(message, now):
        update["$set"]["window_expired"] = False
    appended = get_db().interactions.find_one_and_update(
        filter_, update, projection={"search_terms": 0}, return_document=ReturnDocument.AFTER
    )
    return appended


def _reopen_after_recontact(whose):
    """A reply to a recontact template sent on a closed interaction reopens it, as inbound; `whose`
    names the customer (account and contact, or account and number)."""
    now = clock.now()
    try:
        return get_db().interactions.find_one_and_update(
            {**whose, "awaiting_recontact_reply": True, "is_open": False},
            {
                "$set": {
                    "is_open": True,
                    "status": "queued",
                    "queued_at": now,
                    "offer": None,
                    "offer_skipped": [],
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
    interaction, campaign = campaign_replies.link(account, interaction, how)
    shown = msgs.with_position(message_store.public(message), interaction)
    payload = {"message": plain(shown), "interaction": routing.card(interaction)}
    # The queue's online agents see a waiting interaction offered, and a bot-handled one in their
    # desktop's Bot list (they may take it over). Outside the queue's business hours it waits unoffered.
    waiting_open = interaction["status"] == "queued" and hours.is_open(routing.cached_queue(interaction.get("queue_id")),
                                                                       clock.now())
    if interaction["status"] == "bot":
        targets = routing.online_agent_ids(interaction.get("queue_id"))
    else:
        targets = routing.offer_targets(interaction) if waiting_open else ()
    offered = how in ("created", "reopened") and waiting_open
    live.publish_or_raise(interaction, "offer" if offered else "message", payload, extra_agent_ids=targets)
    if offered and routing.one_at_a_time(interaction.get("queue_id")):
        routing.route_soon()
    assistant.customer_wrote(interaction, message)
    waiting.after_customer_message(interaction, message, how)
    if (message.get("media") or {}).get("state") == "pending":
        jobs.enqueue(jobs.FETCH_MEDIA, interaction_id=str(interaction["_id"]), message_id=message["id"], attempt=1)
    if message.get("sentiment"):
        _refresh_sentiment(interaction, message)
    campaign_replies.close_if_quick_reply(interaction, message, campaign)
    settings = account.get("settings") or {}
    if message["kind"] == "template_reply" and settings.get("close_on_quick_reply"):
        lifecycle.close_by_system(interaction["_id"], "Closed automatically: the customer answered with a quick reply.")
    reply_rules.after_reply(account, interaction, message)


def _refresh_sentiment(interaction, message):
    """Queue the interaction's sentiment refresh with this message's score (one job per drain round)."""
    score = interaction_sentiment.Score(
        interaction["_id"],
        _scored_count(interaction),
        interaction["messages_len"] - 1,
        message["sentiment"]["positive"],
        message["sentiment"]["negative"],
    )
    jobs.gather(jobs.REFRESH_SENTIMENT, "scores", score.to_job())


def _scored_count(interaction):
    return (interaction.get("sentiment_scores") or {}).get("messages", 0)


def _redo(account, stored):
    """Do again the follow-ups of a stored message that a failure interrupted (each is harmless twice:
    the live event is recorded once by its number, the media job has an id of its own, and the
    sentiment refresh skips a score it folded in already)."""
    interaction = get_db().interactions.find_one({"_id": stored["interaction_id"]}, {"search_terms": 0})
    if interaction is None:
        return
    due = stored.get("followups") or {}
    interaction = {
        **interaction,
        "seq": due.get("seq", interaction["seq"]),
        "messages_len": stored["position"] + 1,
        "sentiment_scores": {"messages": due.get("scored", _scored_count(interaction))},
    }
    _after_store(account, interaction, stored, due.get("how", "appended"))
