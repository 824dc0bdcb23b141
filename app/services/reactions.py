"""Reactions: one per side per message, as WhatsApp does; a customer's reaction to the agent's
latest message marks the interaction "customer acknowledged"."""

from app.db import get_db
from app.services import live, message_slots
from app.services.serialize import plain


def apply_customer_reaction(account, event):
    target = event.reaction.message_id if event.reaction else None
    found = message_slots.locate({"account_id": account["_id"]}, "provider_message_id", target) if target else None
    if found is None:
        return "orphan_reaction"
    interaction_id, position = found
    side = {"emoji": event.reaction.emoji, "at": event.timestamp} if not event.reaction_removed else None
    doc = message_slots.update(interaction_id, position, {"provider_message_id": target}, {"reactions.customer": side})
    message_id = message_slots.read(interaction_id, "provider_message_id", target)["id"]
    if doc.get("last_outbound_message_id") == message_id:
        get_db().interactions.update_one({"_id": interaction_id}, {"$set": {"acknowledged": side}})
    live.publish(doc, "reaction", {"message_id": message_id, "side": "customer", "reaction": plain(side)})
    return "reaction"
