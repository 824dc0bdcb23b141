"""One interaction as the list's Show page presents it: the session's messages and the sidebar
(contact, interaction details, customer journey), plus what the viewer may do with it.

The page is read-only; taking the interaction (accept) or working on it happens in the desktop.
"""

from app.db import get_db
from app.domain import messages as msgs
from app.domain.interaction_shapes import MAX_MESSAGE_PAGE
from app.services.access.access_rules import queue_ids_of, visibility_filter
from app.services.channel import provider_failures
from app.services.reading import interaction_queries
from app.services.reading.interaction_list import answer_overdue, aware, status_label

JOURNEY_LIMIT = 20
# The Show page renders this many messages at once; older ones are a link away (?before=).
PAGE_MESSAGES = MAX_MESSAGE_PAGE


def journey(actor, phone, contact_id=None, limit=JOURNEY_LIMIT):
    """The customer's interactions across accounts (matched by number), newest first, as visible to `actor`;
    a customer WhatsApp names without a number: their contact's interactions."""
    if not phone and not contact_id:
        return []
    query = {"contact.phone": phone} if phone else {"contact_id": contact_id}
    visible = visibility_filter(actor)
    if visible:
        query = {"$and": [query, visible]}
    fields = {"account_name": 1, "status": 1, "is_open": 1, "reopened_at": 1, "created_at": 1, "agent_name": 1,
              "sentiment": 1, "disposition": 1}
    rows = get_db().interactions.find(query, fields, sort=[("created_at", -1)], limit=limit)
    return [{**row, "id": str(row["_id"]), "status_label": status_label(row), "created_at": aware(row.get("created_at"))}
            for row in rows]


def quote_text(quoted):
    """What a reply's quote shows of the message it answers: its text, or a template's body as sent."""
    rendered = (quoted.get("template") or {}).get("rendered") or {}
    return quoted.get("text") or quoted.get("caption") or rendered.get("body") or msgs.preview(quoted)


def permissions(actor, doc):
    """Which buttons the page shows (the services check again when they are used)."""
    mine = doc.get("agent_id") == actor["_id"]
    in_queue = actor["role"] == "admin" or doc.get("queue_id") in queue_ids_of(actor["_id"])
    return {
        "take": doc.get("status") in ("queued", "bot") and doc.get("is_open") and in_queue,  # bot: take over
        "continue": bool(doc.get("is_open")) and mine,
        "close": bool(doc.get("is_open")) and (mine or actor["role"] == "admin") and doc.get("agent_id") is not None,
        "reopen": not doc.get("is_open"),
        "requeue": actor["role"] == "admin" and doc.get("status") == "open" and doc.get("agent_id") is not None,
        "mark_read": actor["role"] != "admin",  # supervisors looking must not clear the agents' unread marks
    }


def conversation(actor, interaction_id, before=None):
    """Everything the Show page needs; NotFound/Forbidden/BadFilter from the engine as they come."""
    doc, messages, paging = interaction_queries.detail(actor, interaction_id, before, PAGE_MESSAGES)
    contact = get_db().contacts.find_one({"_id": doc.get("contact_id")}) if doc.get("contact_id") else None
    for message in messages:
        message["at"] = aware(message.get("at"))
    by_provider_id = {m["provider_message_id"]: m for m in messages if m.get("provider_message_id")}
    for message in messages:
        quoted = by_provider_id.get(message.get("reply_to"))
        if quoted:
            message["quote"] = quote_text(quoted)
    for key in ("created_at", "accepted_at", "closed_at", "reopened_at", "window_expires_at", "sla_breached_at"):
        doc[key] = aware(doc.get(key))
    doc["id"] = str(doc["_id"])
    doc["status_label"] = status_label(doc)
    doc["answer_overdue"] = answer_overdue(doc)
    return {
        "interaction": doc,
        "messages": messages,
        "paging": paging,
        "contact": contact,
        "journey": journey(actor, (doc.get("contact") or {}).get("phone"), doc.get("contact_id")),
        "can": permissions(actor, doc),
        "provider_errors": [{**e, "at": aware(e.get("at"))} for e in provider_failures.for_admins(actor, doc["_id"])],
    }
