"""The customer simulator's server side: signed sandbox webhook bodies, and the conversation as the customer sees it.

The simulator never writes a conversation itself. It builds the body a sandbox provider would
send (``app.providers.sandbox``), signs it with the account's webhook secret, and the browser
posts exactly those bytes to the account's real webhook URL: every simulated message, reaction
and read receipt goes through the same verification, parsing and storage as a real provider's.
It signs only for numbers the session was given (``simulator_numbers``), and a reaction, quote or
receipt only for messages of that number's own conversation.
"""

import base64
import binascii
import json

from app.db import get_db
from app.providers import sandbox
from app.providers.events import STATUSES
from app.providers.media_limits import AttachmentRejected, inbound_type, remux_webm_to_ogg_opus
from app.services.access.access_rules import as_oid
from app.services.channel import accounts, provider_access
from app.services.contacts.phones import to_e164
from app.services.conversations import message_store
from app.services.conversations.locations import check_location
from app.services.errors import NotFound, ValidationFailed
from app.services.simulation import simulator_numbers

MEDIA_MAX_BYTES = 16 * 1024 * 1024
TEXT_MAX = 4096
KINDS = (
    "text",
    "image",
    "document",
    "voice",
    "audio",
    "video",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "template_reply",
    "button_reply",
    "list_reply",
)
MEDIA_KINDS = ("image", "document", "voice", "audio", "video", "sticker")
ACK_STATUSES = ("delivered", "read")


def sandbox_accounts():
    return list(get_db().accounts.find({"provider": "sandbox"}, {"name": 1, "phone": 1}).sort("name", 1))


def sandbox_account(account_id):
    account = get_db().accounts.find_one({"_id": as_oid(account_id, "account"), "provider": "sandbox"})
    if account is None:
        raise NotFound("No such sandbox account.")
    return account


def _signed(account, event):
    """(webhook path, body, signature header): the browser posts the body as it is."""
    body = json.dumps({"events": [event]}, separators=(",", ":")).encode()
    secret = provider_access.provider_config(account)["credentials"].get("webhook_secret") or ""
    return {
        "url": accounts.WEBHOOK_PATH + account["webhook_key"],
        "body": body.decode(),
        "headers": {sandbox.SIGNATURE_HEADER: sandbox.sign(body, secret), "Content-Type": "application/json"},
    }


def _text(value, field, max_len=TEXT_MAX, required=False):
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationFailed(f"Enter the {field}.", {field: "Required."})
    if len(text) > max_len:
        raise ValidationFailed(f"The {field} is too long.", {field: f"At most {max_len} characters."})
    return text or None


def _media(payload, kind):
    """The data: URL the browser read from a file or a recording; WebM voice notes become OGG/Opus as on a phone."""
    given = payload.get("media") if isinstance(payload.get("media"), dict) else {}
    head, _, encoded = str(given.get("data_url") or "").partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise ValidationFailed("Choose a file first.", {"media": "A file is required."})
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The file could not be read.", {"media": "Unreadable file."}) from None
    if not data or len(data) > MEDIA_MAX_BYTES:
        raise ValidationFailed("Files are 1 byte to 16 MB here.", {"media": "Too large or empty."})
    mime_type = head[5:-7].split(";")[0].strip().lower() or "application/octet-stream"
    filename = _text(given.get("filename"), "filename", 200)
    try:
        if kind == "voice" and mime_type in ("audio/webm", "video/webm"):
            data, mime_type, filename = remux_webm_to_ogg_opus(data), "audio/ogg", None
        # What a phone would send: the type its bytes are, refused when they are not that kind.
        mime_type = inbound_type(data, kind, mime_type)
    except AttachmentRejected as exc:
        raise ValidationFailed(exc.reason, {"media": exc.reason}) from None
    return {"url": sandbox.data_url(data, mime_type), "mime_type": mime_type, "filename": filename, "voice": kind == "voice"}


def _contact_card(payload):
    card = payload.get("contact") if isinstance(payload.get("contact"), dict) else {}
    name = _text(card.get("name"), "contact name", 200, required=True)
    phone = to_e164(card.get("phone"), "contact")
    return [{"name": {"formatted_name": name}, "phones": [{"phone": phone, "type": "CELL"}]}]


def _own_message(account, provider_message_id, phone, direction=None):
    """The message of this number's conversation on the account (of `direction`, if given), or NotFound."""
    found = (message_store.by_provider_id(account["_id"], provider_message_id, d) for d in (direction or "in", "out"))
    message = next((m for m in found if m is not None), None) or {}
    doc = get_db().interactions.find_one({"_id": message["interaction_id"]}, {"contact.phone": 1}) if message else None
    if doc is None or doc["contact"].get("phone") != phone or direction not in (None, message.get("direction")):
        raise NotFound("No such message in this conversation.", {"message_id": "Not a message of this conversation."})
    return message_store.public(message)


def _choice(account, payload, sender, kind, message_id):
    """The button or list row the customer tapped, as the phone sends it: its id, title and (a row's)
    description taken from the agent's interactive message it answers."""
    reply = payload.get("reply") if isinstance(payload.get("reply"), dict) else {}
    choice_id = _text(reply.get("id"), "choice", 256, required=True)
    if not message_id:
        raise ValidationFailed("Say which message the choice answers.", {"context_message_id": "Required."})
    interactive = _own_message(account, message_id, sender, direction="out").get("interactive") or {}
    if kind == "button_reply":
        options = interactive.get("buttons") or []
    else:
        sections = (interactive.get("list") or {}).get("sections") or []
        options = [row for section in sections for row in section.get("rows") or []]
    chosen = next((option for option in options if option.get("id") == choice_id), None)
    if chosen is None:
        raise ValidationFailed("That message has no such choice.", {"reply": "Not one of the message's choices."})
    return {k: chosen.get(k) for k in ("id", "title", "description") if chosen.get(k)}


def message_event(account, payload, given):
    """A customer's message as the sandbox webhook takes it, signed. ``payload`` comes from the simulator page;
    ``given`` are the numbers the session may play."""
    if not isinstance(payload, dict):
        raise ValidationFailed("Send a JSON object.")
    kind = payload.get("kind") or "text"
    if kind not in KINDS:
        raise ValidationFailed(f"Unknown kind {kind!r}.", {"kind": "Unknown kind."})
    sender = simulator_numbers.check(payload.get("phone"), given)
    fields = {
        "name": _text(payload.get("name"), "name", 100),
        "to": account["phone"],
        "context_message_id": _text(payload.get("context_message_id"), "quoted message", 200),
    }
    if fields["context_message_id"]:
        _own_message(account, fields["context_message_id"], sender)
    if kind == "text":
        fields["text"] = _text(payload.get("text"), "text", required=True)
    elif kind in MEDIA_KINDS:
        fields["media"] = _media(payload, kind)
        fields["caption"] = _text(payload.get("caption"), "caption", 1024)
    elif kind == "location":
        fields["location"] = check_location(payload.get("location"))
    elif kind == "contacts":
        fields["contacts"] = _contact_card(payload)
    elif kind == "reaction":
        reaction = payload.get("reaction") if isinstance(payload.get("reaction"), dict) else {}
        fields["reaction"] = {
            "message_id": _text(reaction.get("message_id"), "message", 200, required=True),
            "emoji": _text(reaction.get("emoji"), "emoji", 16) or "",
        }
        _own_message(account, fields["reaction"]["message_id"], sender)
    elif kind in ("button_reply", "list_reply"):
        fields["reply"] = _choice(account, payload, sender, kind, fields["context_message_id"])
    else:
        reply = payload.get("reply") if isinstance(payload.get("reply"), dict) else {}
        fields["reply"] = {
            "title": _text(reply.get("title"), "button", 200, required=True),
            "payload": _text(reply.get("payload"), "payload", 1000),
        }
    return _signed(account, sandbox.build_inbound(sender, kind, **{k: v for k, v in fields.items() if v is not None}))


def status_event(account, payload, given):
    """The customer's phone acknowledging an agent message of its own conversation (delivered, then read), signed."""
    payload = payload if isinstance(payload, dict) else {}
    phone = simulator_numbers.check(payload.get("phone"), given)
    status = payload.get("status")
    if status not in ACK_STATUSES or status not in STATUSES:
        raise ValidationFailed("Acknowledge with delivered or read.", {"status": "delivered or read"})
    message_id = _text(payload.get("message_id"), "message", 200, required=True)
    _own_message(account, message_id, phone, direction="out")
    return _signed(account, sandbox.build_status(message_id, status))
