"""The typing indicator: while the assigned agent types, the customer sees "typing…" (Meta Cloud API).

Meta shows the indicator for up to 25 seconds, or until the next message, and sends it as a read
receipt of the customer's last message: it marks their messages read. So it follows the account's
read-receipt policy: only accounts that send receipts when an agent views the conversation
(`on_view`) show it. With `on_reply` the customer must not see their messages read before the
answer goes out, and typing is not answering; with `never` they are never shown read.

The desktop asks at most every few seconds while the agent types; an indicator goes out at most once
per DEBOUNCE_SECONDS per conversation (the interaction's `typing_sent_at`, set conditionally, so two
agents' tabs or processes cannot both send one), from a job on the `outbound` queue.
"""

from datetime import timedelta

from redis.exceptions import RedisError

from app import jobs
from app.db import get_db
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.access.access_rules import as_oid, load_visible, require_owner
from app.services.channel import accounts
from app.services.channel.provider_access import adapter_for, capabilities
from app.services.conversations.delivery import read_receipts_when
from app.services.errors import Conflict, Unavailable

DEBOUNCE_SECONDS = 20
CAPABILITY = "typing_indicator"
_FIELDS = {"agent_id": 1, "status": 1, "is_open": 1, "window_expires_at": 1, "account_id": 1, "last_inbound_provider_id": 1}


def why_not(account, interaction, now):
    """Why no indicator may go out for the interaction now (None when it may)."""
    if account is None or CAPABILITY not in capabilities(account):
        return "unsupported"
    if not read_receipts_when(account, "view"):
        return "read_receipts"
    if interaction.get("status") != "open" or not interaction.get("is_open"):
        return "not_open"
    if not window_is_open(interaction, now):
        return "window_closed"
    if not interaction.get("last_inbound_provider_id"):
        return "nothing_to_answer"
    return None


def agent_typing(actor, interaction_id):
    """The assigned agent is typing: queue an indicator unless one went out in the last DEBOUNCE_SECONDS.
    Returns {"sent": bool, "reason": why not}. Forbidden for whoever may not write in it; Conflict when
    the conversation is not open or its 24-hour window is closed."""
    doc = load_visible(actor, interaction_id, _FIELDS)
    require_owner(actor, doc)  # who may write in it (its agent, or an admin)
    now = clock.now()
    reason = why_not(accounts.cached_account(doc["account_id"]), doc, now)
    if reason in ("not_open", "window_closed"):
        raise Conflict("The conversation is closed." if reason == "not_open" else "The customer's 24-hour window is closed.")
    if reason:
        return {"sent": False, "reason": reason}
    due = {"$or": [{"typing_sent_at": None}, {"typing_sent_at": {"$lte": now - timedelta(seconds=DEBOUNCE_SECONDS)}}]}
    claimed = get_db().interactions.update_one({"_id": doc["_id"], **due}, {"$set": {"typing_sent_at": now}})
    if not claimed.modified_count:
        return {"sent": False, "reason": "debounced"}
    try:
        jobs.enqueue(jobs.SEND_TYPING_INDICATOR, interaction_id=str(doc["_id"]))
    except RedisError:  # nothing queued: the claim goes, so the agent's next keystroke tries again
        get_db().interactions.update_one({"_id": doc["_id"], "typing_sent_at": now}, {"$set": {"typing_sent_at": None}})
        raise Unavailable("The typing indicator could not be sent just now.") from None
    return {"sent": True, "reason": None}


def send_indicator(interaction_id):
    """The job: show the indicator if it still may go out (the conversation, its window and the account's
    policy are read again); it marks the customer's last message read, as a read receipt would."""
    doc = get_db().interactions.find_one({"_id": as_oid(interaction_id)}, _FIELDS)
    if doc is None:
        return "gone"
    account = accounts.cached_account(doc["account_id"])
    reason = why_not(account, doc, clock.now())
    if reason:
        return reason
    provider_id = doc["last_inbound_provider_id"]
    adapter_for(account).show_typing(provider_id)
    get_db().interactions.update_one({"_id": doc["_id"]}, {"$set": {"read_receipt_for": provider_id}})
    return "sent"
