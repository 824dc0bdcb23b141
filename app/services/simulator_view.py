"""The conversation as a simulated customer's phone shows it: both sides' messages, ticks, reactions,
attachments and template bubbles with their quick-reply buttons, but never agents' internal notes
or system events (a customer's WhatsApp knows nothing of them)."""

from app.db import get_db
from app.services import contact_directory, media
from app.services.errors import NotFound
from app.services.phones import to_e164
from app.services.serialize import plain

FIELDS = ("id", "provider_message_id", "direction", "author", "kind", "text", "caption", "at", "status", "reply_to",
          "location", "contacts", "reply", "forwarded", "reactions")


def conversation(account, phone):
    """The latest interaction between the account and this number, as the customer sees it."""
    contact = contact_directory.find_by_number(contact_directory.account_list_id(account), to_e164(phone))
    doc = None
    if contact is not None:
        doc = get_db().interactions.find_one({"account_id": account["_id"], "contact_id": contact["_id"]},
                                             sort=[("created_at", -1)])
    if doc is None:
        return {"interaction_id": None, "messages": []}
    messages = [customer_view(m) for m in doc.get("messages", [])
                if m.get("direction") in ("in", "out") and not m.get("hidden")]
    return {"interaction_id": str(doc["_id"]), "status": doc.get("status"), "agent_name": doc.get("agent_name"),
            "messages": messages}


def customer_view(message):
    out = plain({k: message[k] for k in FIELDS if message.get(k) is not None})
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


def account_file(account, file_id):
    """An attachment of this sandbox account's conversations, for the simulated phone to show."""
    grid_out = media.stored_file(file_id)
    if (grid_out.metadata or {}).get("account_id") != str(account["_id"]):
        raise NotFound("No such file.")
    return grid_out
