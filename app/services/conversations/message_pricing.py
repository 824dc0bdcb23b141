"""What each sent message costs, as the provider's status callbacks say (Meta's `pricing`), summed per
UTC day, account and category in `pricing_daily`.

Meta repeats the same pricing on a message's sent, delivered and read statuses, and may deliver each
callback more than once: a message is counted once, by a claim on (account, provider message id) in
`webhook_events` (kept 8 days, past Meta's 7 days of retries). A campaign's sends have no message
document; they are counted the same way.
"""

from app.db import get_db
from app.services import clock
from app.services.conversations import dedup, message_store


def day_of(moment):
    return clock.aware(moment).strftime("%Y-%m-%d")


def count(account_id, provider_message_id, pricing, at):
    """Add the message to its day's sums unless it was counted already; returns counted or duplicate."""
    return dedup.once(f"pr:{account_id}:{provider_message_id}", lambda: _add(account_id, pricing, at))


def _add(account_id, pricing, at):
    side = "billable" if pricing.get("billable") else "free"
    get_db().pricing_daily.update_one(
        {"day": day_of(at), "account_id": account_id, "category": pricing.get("category") or "unknown"},
        {"$inc": {side: 1, f"types.{pricing.get('type') or 'unknown'}": 1}, "$set": {"updated_at": clock.now()}},
        upsert=True,
    )
    return "counted"


def attach(account_id, provider_message_id, pricing):
    """Keep the pricing on our message (when it is stored and has none yet)."""
    key = {"account_id": account_id, "provider_message_id": provider_message_id, "direction": "out"}
    return message_store.update(key, {"pricing": pricing}, {"pricing": {"$exists": False}})
