"""Updating one embedded message in place, by its position in the append-only array.

Messages are only ever appended, so a message keeps its position for life. An update names
that position and re-checks the message's identity (and any precondition) in the same filter,
which keeps it atomic and exact in plain MongoDB. (The positional `$` operator is avoided: the
embedded engine mis-applies it with $elemMatch filters and nested fields.)
"""

from pymongo import ReturnDocument

from app.db import get_db


def locate(query, key, value):
    """(interaction id, position) of the message whose `key` equals `value`, or None."""
    found = locate_with_id(query, key, value)
    return found[:2] if found else None


def locate_with_id(query, key, value, also=None):
    """(interaction id, position, message id) of the message whose `key` equals `value`, or None.

    `also` names more fields the message must have (its direction: a customer's message may carry
    the same provider id as one of ours).
    """
    match = {key: value, **(also or {})}
    filter_ = {**query, "messages": {"$elemMatch": match}} if also else {**query, f"messages.{key}": value}
    doc = get_db().interactions.find_one(filter_, {"messages.id": 1, **{f"messages.{k}": 1 for k in match}})
    if doc is None:
        return None
    for position, message in enumerate(doc.get("messages", [])):
        if all(message.get(k) == v for k, v in match.items()):
            return doc["_id"], position, message.get("id")
    return None


def update(interaction_id, position, identity, changes, conditions=None, bump=True):
    """Set `changes` on the message at `position` if it still has `identity` and meets `conditions`.

    Returns the interaction (without messages) after the update, or None when nothing matched.
    """
    prefix = f"messages.{position}."
    filter_ = {"_id": interaction_id, **{prefix + k: v for k, v in {**identity, **(conditions or {})}.items()}}
    operation = {"$set": {prefix + k: v for k, v in changes.items()}}
    if bump:
        operation["$inc"] = {"seq": 1}
    return get_db().interactions.find_one_and_update(
        filter_, operation, projection={"messages": 0}, return_document=ReturnDocument.AFTER
    )


def read(interaction_id, key, value):
    """The one message whose `key` equals `value`."""
    doc = get_db().interactions.find_one({"_id": interaction_id}, {"messages": {"$elemMatch": {key: value}}})
    return doc["messages"][0] if doc and doc.get("messages") else None
