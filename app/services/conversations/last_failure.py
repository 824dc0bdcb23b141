"""The interactions list shows a failed last message with what it means and what to do, not a code."""

from app.db import get_db


def mark(interaction_id, message_id, shown):
    """Note the failure on the interaction's last-message summary, if that message is still its last."""
    failure = {k: shown.get(k) for k in ("title", "action", "code") if shown.get(k)}
    if not failure.get("action"):  # a failure outside the table: its sentence says what to do
        failure["action"] = shown.get("user_message")
    get_db().interactions.update_one(
        {"_id": interaction_id, "last_outbound_message_id": message_id, "last_message.direction": "out"},
        {"$set": {"last_message.failure": failure}},
    )
