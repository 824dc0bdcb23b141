"""Delivery statuses of a campaign's sends, found by the provider's message id: a recipient only
moves forward (sent < delivered < read < replied), and `failed` counts until it is known delivered.

A status whose message id no recipient holds but whose echoed reference (the id Parley attached to
the send) names a recipient still claimed is that recipient's send, whose sender died before
recording it (recovery.py): the status adopts it, so it is never sent again."""

from bson import ObjectId
from bson.errors import InvalidId

from app.db import get_db
from app.services.campaigns import campaign_progress
from app.services.channel import provider_failures

RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "replied": 4}
FAILED_RANK = 99


def apply(account_id, provider_message_id, status, at, error=None, client_ref=None):
    """"applied", "stale" (a later status is known), or None when no campaign sent this message."""
    if status == "failed":
        ceiling = RANK["delivered"]
        changes = {"state": "failed", "state_rank": FAILED_RANK, "error": _shown(error) if error else None}
    elif status in RANK:
        ceiling, changes = RANK[status], {"state": "read" if status == "played" else status, "state_rank": RANK[status]}
    else:
        return None
    key = {"account_id": account_id, "provider_message_id": provider_message_id}
    moved = get_db().campaign_recipients.find_one_and_update(
        {**key, "state_rank": {"$lt": ceiling}}, {"$set": {**changes, f"status_times.{status}": at}}, {"campaign_id": 1}
    )
    if moved is not None:
        campaign_progress.changed(moved["campaign_id"])
        return "applied"
    if get_db().campaign_recipients.find_one(key, {"_id": 1}):
        return "stale"
    if client_ref and _adopt(account_id, provider_message_id, client_ref, at):
        return apply(account_id, provider_message_id, status, at, error)
    return None


def _shown(error):
    """A delivery failure as the campaign's pages show it: with its sentence, as the sender records one."""
    return {**provider_failures.public(error), "sentence": provider_failures.sentence(error)}


def _adopt(account_id, provider_message_id, client_ref, at):
    try:
        recipient_id = ObjectId(client_ref)
    except (InvalidId, TypeError):
        return False
    adopted = get_db().campaign_recipients.update_one(
        {"_id": recipient_id, "account_id": account_id, "state": "sending"},
        {"$set": {"state": "sent", "state_rank": RANK["sent"], "provider_message_id": provider_message_id, "sent_at": at}},
    )
    return bool(adopted.matched_count)
