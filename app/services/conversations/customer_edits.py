"""The customer's edits and deletions of their own messages, as WhatsApp reports them.

An edit replaces the text (or a caption) and keeps every earlier version in the message's
`edits` ({text, until}: the text shown until that moment); a deletion marks the message
`deleted` and keeps what it said. WhatsApp means a deletion as one: agents see "deleted by the
customer" and never the words, nor any earlier version of an edited message; admins see both, for
the record (app/domain/messages.py `as_seen_by`). Events that arrive late (an older edit after a
newer one, an edit after the deletion) change nothing.
"""

from app.db import get_db
from app.domain import messages as msgs
from app.domain.search import message_terms
from app.services import clock
from app.services.conversations import live, message_store, routing

DELETED_PREVIEW = "Deleted by the customer"


def apply(account, event):
    """Apply an `edit` or `revoke` event; returns edited, deleted, orphan_edit or stale_edit."""
    message = message_store.by_provider_id(account["_id"], event.target_message_id, "in")
    if message is None:
        return "orphan_edit"
    if message.get("deleted"):
        return "stale_edit"
    if event.kind == "revoke":
        return _delete(message, event)
    return _edit(message, event)


def _edit(message, event):
    last = message.get("edited_at")
    if last is not None and clock.aware(last) >= event.timestamp:
        return "stale_edit"
    field = "caption" if message.get("kind") != "text" and event.caption is not None else "text"
    new_text = event.caption if field == "caption" else event.text
    if not new_text:
        return "stale_edit"
    earlier = {"text": message.get(field), "until": event.timestamp}
    doc, interaction = message_store.update_and_bump(
        _key(message),
        {
            field: new_text,
            "edited_at": event.timestamp,
            "edits": [*(message.get("edits") or []), earlier],
            "search_terms": message_terms({**message, field: new_text}),
        },
        conditions={"edited_at": last, "deleted": None},  # compare-and-set: nobody changed it meanwhile
    )
    if doc is None:
        return "stale_edit"
    interaction = _refresh_preview(interaction, message, msgs.preview({**message, field: new_text}))
    payload = {"message_id": message["id"], field: new_text, "edited_at": event.timestamp}
    live.publish(interaction, "message_edited", {**payload, "interaction": routing.card(interaction)})
    return "edited"


def _delete(message, event):
    doc, interaction = message_store.update_and_bump(
        _key(message),
        {"deleted": {"at": event.timestamp}, "search_terms": []},  # the list's search no longer finds its words
        conditions={"deleted": None},
    )
    if doc is None:
        return "stale_edit"
    interaction = _refresh_preview(interaction, message, DELETED_PREVIEW)
    payload = {"message_id": message["id"], "deleted": {"at": event.timestamp}}
    live.publish(interaction, "message_deleted", {**payload, "interaction": routing.card(interaction)})
    return "deleted"


def _refresh_preview(interaction, message, preview):
    """The lists' last-message line follows when the changed message is the interaction's latest:
    the interaction as it is then."""
    last = interaction.get("last_message") or {}
    if interaction.get("last_inbound_provider_id") != message["provider_message_id"] or last.get("direction") != "in":
        return interaction
    get_db().interactions.update_one(
        {"_id": interaction["_id"], "last_inbound_provider_id": message["provider_message_id"], "last_message.direction": "in"},
        {"$set": {"last_message.preview": preview}},
    )
    return {**interaction, "last_message": {**last, "preview": preview}}


def _key(message):
    return {"interaction_id": message["interaction_id"], "id": message["id"]}

