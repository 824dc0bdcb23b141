"""Reactions: one per side per message, as WhatsApp does; a customer's reaction to the agent's
latest message marks the interaction "customer acknowledged"."""

from datetime import UTC

from app.db import get_db
from app.services.conversations import live, message_store, routing
from app.services.serialize import plain


def apply_customer_reaction(account, event):
    """Set or clear the customer's reaction; an older event arriving late changes nothing."""
    target = event.reaction.message_id if event.reaction else None
    message = message_store.by_provider_id(account["_id"], target, "out") if target else None
    message = message or (message_store.by_provider_id(account["_id"], target, "in") if target else None)
    if message is None:
        return "orphan_reaction"
    last_change = (message.get("reactions") or {}).get("customer_at")
    if last_change is not None and _aware(last_change) > event.timestamp:
        return "stale_reaction"
    side = {"emoji": event.reaction.emoji, "at": event.timestamp} if not event.reaction_removed else None
    updated, doc = message_store.update_and_bump(
        {"interaction_id": message["interaction_id"], "id": message["id"]},
        {"reactions.customer": side, "reactions.customer_at": event.timestamp},
        conditions={"reactions.customer_at": last_change},  # compare-and-set: nobody changed it meanwhile
    )
    if updated is None:
        return "stale_reaction"
    if doc.get("last_outbound_message_id") == message["id"]:
        get_db().interactions.update_one({"_id": doc["_id"]}, {"$set": {"acknowledged": side}})
        doc["acknowledged"] = side
    payload = {"message_id": message["id"], "side": "customer", "reaction": plain(side), "interaction": routing.card(doc)}
    live.publish(doc, "reaction", payload)
    return "reaction"


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
