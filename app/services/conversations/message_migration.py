"""Moving messages kept inside their interaction (the `messages` array of earlier versions) into
the `messages` collection, one document each at its array position. Safe to run again and to
interrupt: a message already moved is left as it is, and an array goes only once all of it moved.
A message whose provider id another stored message has (which the unique key refuses) keeps it as
`duplicate_provider_message_id`."""

import logging

from pymongo.errors import DuplicateKeyError

from app.db import get_db

log = logging.getLogger(__name__)


def move_embedded_messages():
    """Move every interaction's embedded messages; returns (interactions, messages) moved."""
    interactions = moved = 0
    for doc in get_db().interactions.find({"messages": {"$exists": True}}, {"account_id": 1, "messages": 1}):
        for position, message in enumerate(doc["messages"]):
            moved += _move(doc, position, message)
        get_db().interactions.update_one(
            {"_id": doc["_id"]},
            {"$unset": {"messages": ""}, "$max": {"messages_len": len(doc["messages"])}},
        )
        interactions += 1
    return interactions, moved


def _move(interaction, position, message):
    stored = {**message, "interaction_id": interaction["_id"], "account_id": interaction["account_id"], "position": position}
    try:
        result = get_db().messages.update_one(
            {"interaction_id": interaction["_id"], "position": position}, {"$setOnInsert": stored}, upsert=True
        )
    except DuplicateKeyError:  # its provider id is another stored message's: kept, under another name
        log.warning("message %s of interaction %s: its provider id is taken", message.get("id"), interaction["_id"])
        stored["duplicate_provider_message_id"] = stored.pop("provider_message_id", None)
        result = get_db().messages.update_one(
            {"interaction_id": interaction["_id"], "position": position}, {"$setOnInsert": stored}, upsert=True
        )
    return 1 if result.upserted_id is not None else 0
