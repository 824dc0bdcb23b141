"""Built-in sandbox provider: try Parley with no WhatsApp account, through the same webhook endpoint.

A customer-simulator page posts JSON of Parley's own shape, signed like Meta's webhooks but with
the account's generated ``webhook_secret``:

    POST /webhooks/whatsapp/<key>      X-Parley-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>
    {"events": [<event>, …]}            (or one <event> on its own)

    message event: {"type": "message", "id", "from": E.164, "to", "name", "timestamp": unix or ISO,
                    "kind": one of InboundMessage kinds, "text", "caption",
                    "media": {"url": "data:<mime>;base64,…", "mime_type", "filename", "voice", "animated"},
                    "location": {"latitude", "longitude", "name", "address", "url"},
                    "contacts": [{"name", "phones", "emails", "org"}],
                    "reply": {"id", "title", "payload", "description"},
                    "reaction": {"message_id", "emoji"}, "context_message_id", "forwarded"}
    status event:  {"type": "status", "message_id", "status", "timestamp",
                    "error": {"code", "title", "detail", "category"}}

``build_inbound``/``build_status`` make these and ``sign`` the header. ``send`` never touches
the network: it hands back ``sbx.<uuid>``, and the simulator reads outbound messages from
Parley itself. Media travels as ``data:`` URLs so nothing is fetched from anywhere.
Like WhatsApp, ``send`` refuses anything but a template (or a reaction) once the customer's
24-hour window has closed, with Meta's error 131047 (Meta reports it in a status callback; the
sandbox refuses at once, which leaves the message in the same failed state).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

from ._parse import (
    as_bool,
    as_dict,
    as_float,
    as_str,
    dicts,
    iso_time,
    jsonable,
    load_json,
    normalize_phone,
    now_utc,
)
from .base import CredentialField, Provider, WebhookRequest
from .errors import CATEGORIES, MalformedWebhook, ProviderError, WebhookRejected
from .events import (
    INBOUND_KINDS,
    MEDIA_KINDS,
    STATUSES,
    InboundMessage,
    Location,
    MediaRef,
    Reaction,
    Reply,
    StatusUpdate,
)
from .meta_format import meta_error
from .outbound import OUTBOUND_KINDS, OutboundMessage, SendResult

SIGNATURE_HEADER = "X-Parley-Signature"
OUTSIDE_WINDOW_KINDS = ("template", "reaction")  # what may still go out once the 24 h window has closed


def sign(body: bytes, secret: str) -> str:
    """The ``X-Parley-Signature`` value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_inbound(
    sender: str,
    kind: str = "text",
    *,
    text=None,
    to=None,
    name=None,
    message_id=None,
    timestamp=None,
    caption=None,
    media=None,
    location=None,
    contacts=None,
    reply=None,
    reaction=None,
    context_message_id=None,
    forwarded=False,
) -> dict:
    """One simulated customer message as the sandbox webhook expects it."""
    event = {
        "type": "message",
        "id": message_id or f"sim.{uuid.uuid4()}",
        "from": sender,
        "kind": kind,
        "timestamp": timestamp if timestamp is not None else int(now_utc().timestamp()),
    }
    optional = {
        "to": to,
        "name": name,
        "text": text,
        "caption": caption,
        "media": media,
        "location": location,
        "contacts": contacts,
        "reply": reply,
        "reaction": reaction,
        "context_message_id": context_message_id,
    }
    event.update({k: v for k, v in optional.items() if v is not None})
    if forwarded:
        event["forwarded"] = True
    return event


def build_status(message_id: str, status: str, *, error: dict | None = None, timestamp=None) -> dict:
    event = {
        "type": "status",
        "message_id": message_id,
        "status": status,
        "timestamp": timestamp if timestamp is not None else int(now_utc().timestamp()),
    }
    if error:
        event["error"] = error
    return event


def data_url(data: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64,{base64.b64encode(data).decode()}"


class SandboxProvider(Provider):
    name = "sandbox"
    label = "Sandbox (simulated customers)"
    capabilities = frozenset(
        {"templates", "reactions", "quote_reply", "location", "start_conversation", "media_upload", "mark_read", "interactive"}
    )
    outbound_kinds = OUTBOUND_KINDS
    credential_fields = (CredentialField("webhook_secret", "Simulator secret", secret=True, generated=True),)

    def verify_request(self, req: WebhookRequest) -> None:
        header = req.header(SIGNATURE_HEADER)
        if not header:
            raise WebhookRejected(401, f"missing {SIGNATURE_HEADER}")
        secret = str(self.credentials.get("webhook_secret") or "")
        if not secret or not hmac.compare_digest(header.strip().encode(), sign(req.body, secret).encode()):
            raise WebhookRejected(403, "signature mismatch")

    def parse_webhook(self, req: WebhookRequest) -> list:
        data = load_json(req.body)
        items = data.get("events") if isinstance(data, dict) and "events" in data else [data]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise MalformedWebhook("expected an event object or {'events': [...]}")
        return [self._event(item) for item in items]

    def _event(self, e: dict):
        if e.get("type") == "status":
            return self._status(e)
        if e.get("type") not in (None, "message"):
            raise MalformedWebhook(f"unknown event type {e.get('type')!r}")
        sender, msg_id, kind = normalize_phone(e.get("from")), as_str(e.get("id")), as_str(e.get("kind")) or "text"
        if sender is None or msg_id is None or kind not in INBOUND_KINDS:
            raise MalformedWebhook("message needs a phone 'from', an 'id' and a known 'kind'")
        event = InboundMessage(
            provider=self.name,
            provider_message_id=msg_id,
            sender=sender,
            kind=kind,
            timestamp=iso_time(e.get("timestamp")) or now_utc(),
            recipient=normalize_phone(e.get("to")),
            profile_name=as_str(e.get("name")),
            text=as_str(e.get("text")),
            caption=as_str(e.get("caption")),
            context_message_id=as_str(e.get("context_message_id")),
            forwarded=as_bool(e.get("forwarded")),
            contacts=[jsonable(c) for c in dicts(e.get("contacts"))],
            raw=jsonable(e),
        )
        media, location, reply, reaction = (as_dict(e.get(k)) for k in ("media", "location", "reply", "reaction"))
        if kind in MEDIA_KINDS:
            event.media = MediaRef(
                url=as_str(media.get("url")),
                mime_type=as_str(media.get("mime_type")),
                filename=as_str(media.get("filename")),
                animated=as_bool(media.get("animated")),
                voice=kind == "voice" or as_bool(media.get("voice")),
            )
        if kind == "location":
            lat, lon = as_float(location.get("latitude")), as_float(location.get("longitude"))
            if lat is None or lon is None:
                raise MalformedWebhook("location needs latitude and longitude")
            event.location = Location(
                lat, lon, as_str(location.get("name")), as_str(location.get("address")), as_str(location.get("url"))
            )
        if kind in ("button_reply", "list_reply", "template_reply"):
            event.reply = Reply(*(as_str(reply.get(k)) for k in ("id", "title", "payload", "description")))
        if kind == "reaction":
            event.reaction = Reaction(as_str(reaction.get("message_id")), as_str(reaction.get("emoji")))
        if kind == "unsupported":
            event.error = ProviderError("unsupported", "Unsupported message type", None, provider=self.name)
        return event

    def _status(self, e: dict) -> StatusUpdate:
        msg_id, status = as_str(e.get("message_id")), as_str(e.get("status"))
        if msg_id is None or status not in STATUSES:
            raise MalformedWebhook("status needs a 'message_id' and a known 'status'")
        err = as_dict(e.get("error"))
        error = None
        if err or status == "failed":
            category = as_str(err.get("category"))
            error = ProviderError(
                as_str(err.get("code")) or "failed",
                as_str(err.get("title")) or "Delivery failed",
                as_str(err.get("detail")),
                category=category if category in CATEGORIES else "other",
                provider=self.name,
            )
        return StatusUpdate(
            provider=self.name,
            provider_message_id=msg_id,
            status=status,
            timestamp=iso_time(e.get("timestamp")) or now_utc(),
            error=error,
            raw=jsonable(e),
        )

    def _send(self, msg: OutboundMessage) -> SendResult:
        if msg.window_open is False and msg.kind not in OUTSIDE_WINDOW_KINDS:
            raise meta_error(
                131047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                provider=self.name,
            )
        message_id = f"sbx.{uuid.uuid4()}"
        return SendResult(message_id, {"id": message_id, "to": msg.to, "kind": msg.kind})

    def mark_read(self, provider_message_id: str, typing: bool = False) -> None:
        """Nothing to tell: the simulator shows read receipts from Parley's own records."""

    def upload_media(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        """Media ids are the data itself, so a later download needs no storage."""
        return data_url(data, mime_type)

    def download_media(self, media_ref: MediaRef) -> tuple[bytes, str | None]:
        url = media_ref.url or media_ref.provider_media_id or ""
        head, _, payload = url.partition(",")
        if not head.startswith("data:") or not head.endswith(";base64"):
            raise ProviderError(
                "no_media", "Sandbox media must be a base64 data: URL", None, category="media", provider=self.name
            )
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProviderError("bad_media", "Broken data: URL", str(exc), category="media", provider=self.name) from exc
        return data, head[5:-7] or media_ref.mime_type
