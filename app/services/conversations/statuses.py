"""Delivery statuses of our messages: applied once, only forwards, whatever order they arrive in.

sent < delivered < read < played; `failed` counts until the message is known delivered and is
final. A status for a message whose provider id we do not know yet (the webhook beat the send
job's write) waits in `pending_statuses` and is applied when the id is recorded. A campaign's
send has no message: its recipient record takes the status (app/services/campaigns/campaign_status.py).

`read` (or `played`) may come without `delivered`: Meta skips `delivered` when the customer reads the
message at once. Being read implies being delivered, so the delivered time is filled in with the
read time. Pricing that comes with a status is counted once per message and kept on it
(message_pricing.py).
"""

from app.db import get_db
from app.domain.messages import FAILED_BEFORE_RANK, STATUS_RANK
from app.services import clock
from app.services.campaigns import campaign_status
from app.services.channel import provider_failures
from app.services.conversations import dedup, last_failure, live, message_pricing, message_store

FAILED_RANK = 99  # final: nothing moves a failed message


# Statuses that imply the message reached the phone, whether or not `delivered` was reported.
IMPLY_DELIVERED = ("read", "played")


def apply(account, update):
    key = f"st:{account['_id']}:{update.provider_message_id}:{update.status}"
    return dedup.once(key, lambda: _apply_with_pricing(account["_id"], update))


def _apply_with_pricing(account_id, update):
    if update.pricing:
        message_pricing.count(account_id, update.provider_message_id, update.pricing, update.timestamp)
    return apply_now(
        account_id,
        update.provider_message_id,
        update.status,
        update.timestamp,
        update.error.to_dict() if update.error else None,
        update.client_ref,
        update.pricing,
    )


def apply_now(account_id, provider_message_id, status, at, error=None, client_ref=None, pricing=None):
    """Move the message to `status` if that is forward; returns applied, stale, pending or ignored.
    `error` is the provider's, whole: agents get its sentence, admins its detail. `pricing` is kept
    on the message whatever the status's outcome."""
    shown = provider_failures.public(error, doing="send") if error else None
    if status == "failed":
        ceiling, changes = FAILED_BEFORE_RANK, {"status": "failed", "status_rank": FAILED_RANK, "error": shown}
    elif status in STATUS_RANK:
        ceiling, changes = STATUS_RANK[status], {"status": status, "status_rank": STATUS_RANK[status]}
    else:
        return "ignored"
    changes[f"status_times.{status}"] = at
    if pricing:
        changes["pricing"] = pricing
    # statuses are about our messages; a customer's may reuse the id
    key = {"account_id": account_id, "provider_message_id": provider_message_id, "direction": "out"}
    doc, interaction = message_store.update_and_bump(key, changes, {"status_rank": {"$lt": ceiling}})
    if doc is None:
        if message_store.by_provider_id(account_id, provider_message_id, "out") is not None:
            if pricing:
                message_pricing.attach(account_id, provider_message_id, pricing)
            return "stale"
        campaign_send = campaign_status.apply(account_id, provider_message_id, status, at, error, client_ref)
        if campaign_send:
            return campaign_send
        get_db().pending_statuses.insert_one(
            {
                "account_id": account_id,
                "provider_message_id": provider_message_id,
                "status": status,
                "status_at": at,
                "error": error,
                "pricing": pricing,
                "at": clock.now(),
            }
        )
        return "pending"
    if status in IMPLY_DELIVERED and "delivered" not in (doc.get("status_times") or {}):
        message_store.update(key, {"status_times.delivered": at})
    interaction_id, message_id = doc["interaction_id"], doc["id"]
    if status == "failed" and shown:
        last_failure.mark(interaction_id, message_id, shown)
    if error:
        provider_failures.record(
            error, stage="delivery", interaction_id=interaction_id, message_id=message_id, account_id=account_id
        )
    live.publish(
        interaction,
        "message_status",
        {"message_id": message_id, "provider_message_id": provider_message_id, "status": status, "error": shown},
    )
    return "applied"


def flush_pending(account_id, provider_message_id):
    """Apply statuses that arrived before we knew this provider id."""
    pending = list(get_db().pending_statuses.find({"account_id": account_id, "provider_message_id": provider_message_id}))
    for item in pending:
        apply_now(
            account_id, provider_message_id, item["status"], item["status_at"], item.get("error"), pricing=item.get("pricing")
        )
    if pending:
        get_db().pending_statuses.delete_many({"_id": {"$in": [item["_id"] for item in pending]}})
    return len(pending)
