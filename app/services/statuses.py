"""Delivery statuses of our messages: applied once, only forwards, whatever order they arrive in.

sent < delivered < read < played; `failed` counts until the message is known delivered and is
final. A status for a message whose provider id we do not know yet (the webhook beat the send
job's write) waits in `pending_statuses` and is applied when the id is recorded.
"""

from pymongo import ReturnDocument

from app.db import get_db
from app.domain.messages import FAILED_BEFORE_RANK, STATUS_RANK
from app.services import clock, dedup, live

FAILED_RANK = 99  # final: nothing moves a failed message


def apply(account, update):
    key = f"st:{account['_id']}:{update.provider_message_id}:{update.status}"
    return dedup.once(key, lambda: apply_now(account["_id"], update.provider_message_id, update.status, update.timestamp,
                                             update.error.to_dict() if update.error else None))


def apply_now(account_id, provider_message_id, status, at, error=None):
    """Move the message to `status` if that is forward; returns applied, stale or pending."""
    if status == "failed":
        condition = {"provider_message_id": provider_message_id, "status_rank": {"$lt": FAILED_BEFORE_RANK}}
        changes = {"messages.$.status": "failed", "messages.$.status_rank": FAILED_RANK, "messages.$.error": error}
    elif status in STATUS_RANK:
        condition = {"provider_message_id": provider_message_id, "status_rank": {"$lt": STATUS_RANK[status]}}
        changes = {"messages.$.status": status, "messages.$.status_rank": STATUS_RANK[status]}
    else:
        return "ignored"
    changes[f"messages.$.status_times.{status}"] = at
    doc = get_db().interactions.find_one_and_update(
        {"account_id": account_id, "messages": {"$elemMatch": condition}},
        {"$set": changes, "$inc": {"seq": 1}},
        projection={"messages": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is not None:
        message = _message_ids(doc["_id"], provider_message_id)
        live.publish(doc, "message_status", {"message_id": message["id"], "provider_message_id": provider_message_id,
                                             "status": status, "error": error})
        return "applied"
    if get_db().interactions.find_one({"account_id": account_id, "messages.provider_message_id": provider_message_id}, {"_id": 1}):
        return "stale"
    get_db().pending_statuses.insert_one({"account_id": account_id, "provider_message_id": provider_message_id,
                                          "status": status, "status_at": at, "error": error, "at": clock.now()})
    return "pending"


def _message_ids(interaction_id, provider_message_id):
    doc = get_db().interactions.find_one(
        {"_id": interaction_id}, {"messages": {"$elemMatch": {"provider_message_id": provider_message_id}}}
    )
    return doc["messages"][0]


def flush_pending(account_id, provider_message_id):
    """Apply statuses that arrived before we knew this provider id."""
    pending = list(get_db().pending_statuses.find({"account_id": account_id, "provider_message_id": provider_message_id}))
    for item in pending:
        apply_now(account_id, provider_message_id, item["status"], item["status_at"], item.get("error"))
    if pending:
        get_db().pending_statuses.delete_many({"_id": {"$in": [item["_id"] for item in pending]}})
    return len(pending)
