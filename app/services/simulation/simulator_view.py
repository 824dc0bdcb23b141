"""The conversation as a simulated customer's phone shows it: both sides' messages, ticks, reactions,
attachments and template bubbles with their quick-reply buttons, but never agents' internal notes
or system events (a customer's WhatsApp knows nothing of them).

The customer's own messages carry the ticks their sender would see: delivered once the webhook
stored them, read up to the latest message an agent's read receipt covered (``read_receipt_for``,
recorded when an agent views or answers, as the account's read-receipt setting says).
"""

from app.db import get_db
from app.domain.window import is_open as window_is_open
from app.services import clock
from app.services.access.access_rules import as_oid
from app.services.attachments import media
from app.services.contacts import number_lookup
from app.services.conversations import message_store
from app.services.errors import NotFound
from app.services.serialize import plain
from app.services.simulation import simulator_numbers

FIELDS = ("id", "provider_message_id", "direction", "author", "kind", "text", "caption", "at", "status", "reply_to",
          "location", "contacts", "reply", "forwarded", "reactions", "interactive")


def latest_interaction(account, phone, given, projection=None):
    """The latest interaction between the account and a number this session was given, or None."""
    contact = number_lookup.find_by_number(number_lookup.account_list_id(account), simulator_numbers.check(phone, given))
    if contact is None:
        return None
    return get_db().interactions.find_one(
        {"account_id": account["_id"], "contact_id": contact["_id"]}, projection, sort=[("created_at", -1)]
    )


def conversation(account, phone, given):
    """The latest interaction between the account and this number, as the customer sees it."""
    doc = latest_interaction(account, phone, given)
    if doc is None:
        return {"interaction_id": None, "messages": []}
    stored = message_store.all_of(doc["_id"])
    read_up_to = _read_position(doc, stored)
    messages = [customer_view(m, m["position"] <= read_up_to) for m in stored if _reached_the_phone(m)]
    return {
        "interaction_id": str(doc["_id"]),
        "status": doc.get("status"),
        "agent_name": doc.get("agent_name"),
        "window_open": window_is_open(doc, clock.now()),
        "messages": messages,
    }


def _reached_the_phone(message):
    """Customer messages, and agent messages WhatsApp took (a refused or unsent one never reaches the phone)."""
    if message.get("hidden"):
        return False
    if message.get("direction") == "out":
        return bool(message.get("provider_message_id")) and message.get("status") != "failed"
    return message.get("direction") == "in"


def _read_position(doc, stored):
    """Position of the customer's latest message an agent has read (WhatsApp turns every earlier one blue too)."""
    read = doc.get("read_receipt_for")
    return next((m["position"] for m in stored if read and m.get("provider_message_id") == read), -1)


def customer_view(message, read=False):
    out = plain({k: message[k] for k in FIELDS if message.get(k) is not None})
    if message.get("direction") == "in":
        out["status"] = "read" if read else "delivered"
    if message.get("media"):
        out["media"] = media.public_media(message["media"])
    if message.get("template"):
        out["template"] = _template(message["template"])
    return out


def _template(template):
    """The rendered bubble, each quick-reply button with the payload WhatsApp would send back."""
    rendered = template.get("rendered") or {}
    payloads = {b.get("index"): b.get("payload") for b in (template.get("spec") or {}).get("buttons", [])
                if b.get("sub_type") == "quick_reply"}
    buttons = [{**plain(b), "payload": payloads.get(i) if b.get("type") == "QUICK_REPLY" else None}
               for i, b in enumerate(rendered.get("buttons") or [])]
    return {"name": template.get("name"), "header": plain(rendered.get("header")), "body": rendered.get("body"),
            "footer": rendered.get("footer"), "buttons": buttons}


def account_file(account, file_id, given):
    """An attachment of a conversation this session plays on the account, for the simulated phone to show."""
    grid_out = media.stored_file(file_id)
    metadata = grid_out.metadata or {}
    interaction_id = metadata.get("interaction_id")
    doc = None
    if interaction_id and metadata.get("account_id") == str(account["_id"]):
        doc = get_db().interactions.find_one({"_id": as_oid(interaction_id)}, {"account_id": 1, "contact.phone": 1})
    if doc is None or doc["account_id"] != account["_id"] or doc["contact"].get("phone") not in given:
        raise NotFound("No such file.")
    return grid_out
