"""Messages embedded in an interaction: their shape, status order and one-line preview."""

from bson import ObjectId

# Delivery only moves forward; `failed` is accepted until the message is known delivered.
STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4}
FAILED_BEFORE_RANK = STATUS_RANK["delivered"]
MEDIA_KINDS = ("image", "audio", "voice", "video", "document", "sticker")

PREVIEW_LABELS = {
    "image": "📷 Photo",
    "audio": "🎵 Audio",
    "voice": "🎤 Voice message",
    "video": "🎬 Video",
    "document": "📄 Document",
    "sticker": "Sticker",
    "location": "📍 Location",
    "contacts": "👤 Contact",
    "template": "Template",
    "unsupported": "Unsupported message",
}


def new_id():
    return str(ObjectId())


def _plain(obj):
    if obj is None:
        return None
    return {k: v for k, v in vars(obj).items() if v is not None}


def from_inbound(event, received_at):
    """The stored form of a customer's message (reactions are not messages: see reactions)."""
    message = {
        "id": new_id(),
        "provider_message_id": event.provider_message_id,
        "direction": "in",
        "author": "customer",
        "kind": event.kind,
        "text": event.text,
        "caption": event.caption,
        "at": event.timestamp,
        "received_at": received_at,
        "reply_to": event.context_message_id,
        "forwarded": bool(event.forwarded),
        "reactions": {},
    }
    if event.media is not None:
        message["media"] = {**_plain(event.media), "state": "pending"}
    if event.location is not None:
        message["location"] = _plain(event.location)
    if event.contacts:
        message["contacts"] = event.contacts
    if event.reply is not None:
        message["reply"] = _plain(event.reply)
    if event.error is not None:
        message["error"] = event.error.to_dict()
    return {k: v for k, v in message.items() if v is not None}


def preview(message, limit=120):
    if message.get("kind") == "text" or message.get("text"):
        text = message.get("text") or ""
    elif message.get("kind") == "interactive":
        text = (message.get("interactive") or {}).get("body") or ""
    elif message.get("kind") in ("button_reply", "list_reply", "template_reply"):
        text = (message.get("reply") or {}).get("title") or (message.get("reply") or {}).get("payload") or ""
    else:
        text = PREVIEW_LABELS.get(message.get("kind"), message.get("kind", ""))
        if message.get("caption"):
            text = f"{text}: {message['caption']}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(message):
    """What the interaction keeps of its latest message, for lists and offers."""
    return {"direction": message["direction"], "preview": preview(message), "at": message["at"], "kind": message["kind"]}


def with_position(message, interaction):
    """The message as events carry it: with its place in the array, just appended to `interaction`."""
    return {**message, "position": interaction["messages_len"] - 1}


#: What a message deleted by the customer no longer shows to agents.
DELETED_CONTENT = ("text", "caption", "media", "location", "contacts", "reply")


def as_seen_by(message, admin):
    """The message for an agent (`admin` False): a deleted one without its content, an edited one
    without its earlier versions. Admins see everything, for the record."""
    if admin or not (message.get("deleted") or message.get("edits")):
        return message
    hidden = ("edits", *DELETED_CONTENT) if message.get("deleted") else ("edits",)
    return {k: v for k, v in message.items() if k not in hidden}
