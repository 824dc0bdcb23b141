"""Delivery statuses of a campaign's sends, found by the provider's message id: a recipient only
moves forward (sent < delivered < read < replied), and `failed` counts until it is known delivered."""

from app.db import get_db
from app.services.channel import provider_failures

RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 3, "replied": 4}
FAILED_RANK = 99


def apply(account_id, provider_message_id, status, at, error=None):
    """"applied", "stale" (a later status is known), or None when no campaign sent this message."""
    if status == "failed":
        ceiling = RANK["delivered"]
        changes = {"state": "failed", "state_rank": FAILED_RANK, "error": provider_failures.public(error) if error else None}
    elif status in RANK:
        ceiling, changes = RANK[status], {"state": "read" if status == "played" else status, "state_rank": RANK[status]}
    else:
        return None
    key = {"account_id": account_id, "provider_message_id": provider_message_id}
    moved = get_db().campaign_recipients.update_one(
        {**key, "state_rank": {"$lt": ceiling}}, {"$set": {**changes, f"status_times.{status}": at}}
    )
    if moved.matched_count:
        return "applied"
    return "stale" if get_db().campaign_recipients.find_one(key, {"_id": 1}) else None
