"""Reactions: one per side per message, as WhatsApp does; a customer's reaction to the agent's
latest message marks the interaction "customer acknowledged"."""

from datetime import UTC

from app.db import get_db
from app.services.conversations import live, message_slots, routing
from app.services.serialize import plain


def apply_customer_reaction(account, event):
    """Set or clear the customer's reaction; an older event arriving late changes nothing."""
    target = event.reaction.message_id if event.reaction else None
    found = message_slots.locate({"account_id": account["_id"]}, "provider_message_id", target) if target else None
    if found is None:
        return "orphan_reaction"
    interaction_id, position = found
    message = message_slots.read(interaction_id, "provider_message_id", target)
    last_change = (message.get("reactions") or {}).get("customer_at")
    if last_change is not None and _aware(last_change) > event.timestamp:
        return "stale_reaction"
    side = {"emoji": event.reaction.emoji, "at": event.timestamp} if not event.reaction_removed else None
    doc = message_slots.update(
        interaction_id,
        position,
        {"provider_message_id": target},
        {"reactions.customer": side, "reactions.customer_at": event.timestamp},
        conditions={"reactions.customer_at": last_change},  # compare-and-set: nobody changed it meanwhile
    )
    if doc is None:
        return "stale_reaction"
    if doc.get("last_outbound_message_id") == message["id"]:
        get_db().interactions.update_one({"_id": interaction_id}, {"$set": {"acknowledged": side}})
        doc["acknowledged"] = side
    payload = {"message_id": message["id"], "side": "customer", "reaction": plain(side), "interaction": routing.card(doc)}
    live.publish(doc, "reaction", payload)
    return "reaction"


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
