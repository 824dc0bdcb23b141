"""Reactions: one per side per message, as WhatsApp does; a customer's reaction to the agent's
latest message marks the interaction "customer acknowledged"."""

from pymongo import ReturnDocument

from app.db import get_db
from app.services import live
from app.services.serialize import plain


def apply_customer_reaction(account, event):
    target = event.reaction.message_id if event.reaction else None
    if not target:
        return "ignored"
    side = {"emoji": event.reaction.emoji, "at": event.timestamp} if not event.reaction_removed else None
    doc = get_db().interactions.find_one_and_update(
        {"account_id": account["_id"], "messages.provider_message_id": target},
        {"$set": {"messages.$.reactions.customer": side}, "$inc": {"seq": 1}},
        projection={"messages": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        return "orphan_reaction"
    message = get_db().interactions.find_one({"_id": doc["_id"]}, {"messages": {"$elemMatch": {"provider_message_id": target}}})
    message_id = message["messages"][0]["id"]
    if doc.get("last_outbound_message_id") == message_id:
        ack = {"emoji": side["emoji"], "at": side["at"]} if side else None
        get_db().interactions.update_one({"_id": doc["_id"]}, {"$set": {"acknowledged": ack}})
    live.publish(doc, "reaction", {"message_id": message_id, "side": "customer", "reaction": plain(side)})
    return "reaction"
