"""Messages, one document each in the `messages` collection: the one module that reads and writes them.

A message is addressed by key, never found by scanning its interaction: by (interaction, public
`id`), by (account, provider message id, direction), or by (interaction, position). Its position
comes from the interaction's `messages_len` counter, incremented in the update that appends it
(position = new length - 1); a crash between that update and the insert leaves a gap, so readers
never assume positions are contiguous. The unique (account, provider id, direction) key is also
the deduplication of a provider delivering the same customer message twice.

A stored document is the message as the app always knew it plus `_id`, `interaction_id`,
`account_id`, `position`, its `search_terms` (app/domain/search.py; the interactions list finds a
conversation by them), and for a customer's message `followups` (the event number and kind its
live event took, for a retry that must do its follow-ups again).
"""

import re

import bson
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import WriteError

from app.db import get_db
from app.domain.search import message_terms

MAX_BYTES = 16 * 1024 * 1024  # a server's maxBsonObjectSize
# Room for the other fields the store adds (ids, position, follow-ups) to a message it was asked to check.
_STORE_OVERHEAD = 512
# Fields the store adds to a message; never shown to clients (position is, by readers, explicitly).
STORE_FIELDS = ("_id", "interaction_id", "account_id", "position", "followups", "search_terms")


def _collection():
    return get_db().messages


def public(doc):
    """The message as clients and the app's code know it, without the store's bookkeeping."""
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k not in STORE_FIELDS}


def check_storable(message):
    """Raise, before anything is written, what a server would refuse when the message is inserted:
    a value BSON cannot carry (an integer past 2^63: OverflowError) or a document over 16 MB. A file
    that came inside the webhook (a ``data:`` URL) goes to GridFS, not into the document."""
    media = message.get("media")
    if media:
        message = {**message, "media": {k: v for k, v in media.items() if not str(v).startswith("data:")}}
    size = len(bson.encode({**message, "search_terms": message_terms(message)})) + _STORE_OVERHEAD
    if size > MAX_BYTES:
        raise WriteError(f"object to insert too large. size in bytes: {size}, max size: {MAX_BYTES}", 2)


def append(interaction, message, followups=None):
    """Store `message` at the position `interaction` (as returned by the update that incremented
    `messages_len`) gave it. Returns the stored document; raises DuplicateKeyError when the message (same
    provider id, or same public id) is stored already."""
    position = interaction["messages_len"] - 1
    doc = {
        **message,
        "interaction_id": interaction["_id"],
        "account_id": interaction["account_id"],
        "position": position,
    }
    _add_terms(doc, message)
    if followups is not None:  # what a retry needs to do the follow-ups again (inbound._redo)
        doc["followups"] = followups
    _collection().insert_one(doc)
    return doc


def insert_new(interaction_id, account_id, position, message):
    """Store `message` at a known free position (a new interaction's first message, the migration)."""
    doc = {**message, "interaction_id": interaction_id, "account_id": account_id, "position": position}
    _add_terms(doc, message)
    _collection().insert_one(doc)


def _add_terms(doc, message):
    words = message_terms(message)
    if words:
        doc["search_terms"] = words


def get(interaction_id, message_id, projection=None):
    """The stored document of message `message_id` of the interaction, or None."""
    return _collection().find_one({"interaction_id": interaction_id, "id": message_id}, projection)


def by_provider_id(account_id, provider_message_id, direction):
    """The stored document of the account's message with that provider id and direction, or None."""
    return _collection().find_one(
        {"account_id": account_id, "provider_message_id": provider_message_id, "direction": direction}
    )


def with_provider_id(provider_message_id):
    """Every stored message with this provider id, whichever account (the sandbox's ids are unique)."""
    return list(_collection().find({"provider_message_id": provider_message_id}))


def update(key, changes, conditions=None, unset=()):
    """Set `changes` (and unset `unset`) on the message with `key` if it meets `conditions`.

    `key` is {"interaction_id", "id"} or {"account_id", "provider_message_id", "direction"}.
    Returns the stored document after the update, or None when nothing matched.
    """
    operation = {"$set": dict(changes)} if changes else {}
    if unset:
        operation["$unset"] = dict.fromkeys(unset, "")
    return _collection().find_one_and_update(
        {**key, **(conditions or {})}, operation, return_document=ReturnDocument.AFTER
    )


def bump(interaction_id, changes=None):
    """The interaction after incrementing its `seq` (and setting `changes`): the number of the live
    event that announces a change of one of its messages."""
    operation = {"$inc": {"seq": 1}}
    if changes:
        operation["$set"] = changes
    return get_db().interactions.find_one_and_update(
        {"_id": interaction_id}, operation, return_document=ReturnDocument.AFTER
    )


def update_and_bump(key, changes, conditions=None, unset=()):
    """update() then bump() the message's interaction: (stored message, interaction) or (None, None)."""
    doc = update(key, changes, conditions, unset)
    if doc is None:
        return None, None
    return doc, bump(doc["interaction_id"])


def page(interaction_id, before=None, limit=50):
    """Up to `limit` stored messages before position `before` (or the latest), oldest first: one
    indexed query."""
    filter_ = {"interaction_id": interaction_id}
    if before is not None:
        filter_["position"] = {"$lt": before}
    docs = list(_collection().find(filter_, sort=[("position", DESCENDING)], limit=limit))
    docs.reverse()
    return docs


def count_after(interaction_id, position, direction, limit):
    """How many messages of `direction` come after `position` (counting stops at `limit`)."""
    return _collection().count_documents(
        {"interaction_id": interaction_id, "direction": direction, "position": {"$gt": position}}, limit=limit
    )


def all_of(interaction_id):
    """Every message of the interaction, oldest first (exports and the simulated phone)."""
    return list(_collection().find({"interaction_id": interaction_id}, sort=[("position", ASCENDING)]))


def latest_scored(interaction_id, limit, up_to_position=None):
    """Scores of the interaction's latest `limit` scored customer messages (none after position
    `up_to_position` when given), oldest first."""
    filter_ = {"interaction_id": interaction_id, "direction": "in", "sentiment": {"$exists": True}}
    if up_to_position is not None:
        filter_["position"] = {"$lte": up_to_position}
    docs = list(
        _collection().find(
            filter_,
            {"sentiment": 1},
            sort=[("position", DESCENDING)],
            limit=limit,
        )
    )
    return [d["sentiment"] for d in reversed(docs)]


def held(account_id):
    """Messages of the account held while it needed re-authorization."""
    return list(_collection().find({"account_id": account_id, "held": True}, {"interaction_id": 1, "id": 1}))


def queued_sends(older_than, limit=1000):
    """Outbound messages still `queued` that were written before `older_than`, oldest first."""
    query = {"status": "queued", "direction": "out", "at": {"$lt": older_than}}
    return list(_collection().find(query).sort("at", ASCENDING).limit(limit))


def pending_media(older_than, limit=1000):
    """Customers' messages whose attachment is still `pending`, received before `older_than`, oldest first."""
    query = {"media.state": "pending", "direction": "in", "received_at": {"$lt": older_than}}
    return list(_collection().find(query).sort("received_at", ASCENDING).limit(limit))


def interactions_with_term(prefix, limit, within=None):
    """The interactions (ids) with a message holding a term that starts with `prefix`, reading at
    most `limit` messages (None: all; then only those of the interactions `within`); with the number
    of messages read, which reaches `limit` when more may hold it."""
    filter_ = {"search_terms": {"$regex": "^" + re.escape(prefix)}}
    if within is not None:
        filter_["interaction_id"] = {"$in": list(within)}
    docs = list(_collection().find(filter_, {"interaction_id": 1, "_id": 0}, limit=limit or 0))
    return {doc["interaction_id"] for doc in docs}, len(docs)


def media_files_of(interaction_ids):
    """The stored attachments (GridFS file ids) of these interactions' messages."""
    found = _collection().find(
        {"interaction_id": {"$in": list(interaction_ids)}, "media.file_id": {"$type": "string"}}, {"media.file_id": 1}
    )
    return [doc["media"]["file_id"] for doc in found]


def files_used_outside(file_ids, interaction_ids):
    """Those of these GridFS file ids that a message of another interaction holds."""
    found = _collection().find(
        {"media.file_id": {"$in": list(file_ids)}, "interaction_id": {"$nin": list(interaction_ids)}}, {"media.file_id": 1}
    )
    return {doc["media"]["file_id"] for doc in found}


def delete_of(interaction_ids):
    """Delete every message of these interactions; returns how many."""
    return _collection().delete_many({"interaction_id": {"$in": list(interaction_ids)}}).deleted_count


def mark_media_deleted(interaction_ids, file_ids, reason):
    """These interactions' messages holding these files no longer hold them: `media.state` becomes
    `deleted` (with `reason`) and `media.file_id` goes; returns how many messages changed."""
    return _collection().update_many(
        {"interaction_id": {"$in": list(interaction_ids)}, "media.file_id": {"$in": list(file_ids)}},
        {"$set": {"media.state": "deleted", "media.deleted_reason": reason}, "$unset": {"media.file_id": ""}},
    ).modified_count
