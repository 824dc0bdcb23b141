"""Normalized webhook events: what every adapter's ``parse_webhook`` returns, whatever the wire format."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from .errors import ProviderError

INBOUND_KINDS = frozenset(
    {
        "text",
        "image",
        "audio",
        "voice",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "button_reply",
        "list_reply",
        "template_reply",
        "reaction",
        "edit",  # the customer edited an earlier message (target_message_id): text or caption is the new one
        "revoke",  # the customer deleted an earlier message (target_message_id) for everyone
        "unsupported",
    }
)
MEDIA_KINDS = frozenset({"image", "audio", "voice", "video", "document", "sticker"})
STATUSES = ("sent", "delivered", "read", "played", "failed")


@dataclass
class MediaRef:
    """Where to fetch a customer's attachment: a provider media id (Meta) or a URL (others)."""

    provider_media_id: str | None = None
    url: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    filename: str | None = None
    animated: bool = False
    voice: bool = False


@dataclass
class Location:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


@dataclass
class Reply:
    """The customer's answer to buttons, a list or a template quick reply."""

    id: str | None = None
    title: str | None = None
    payload: str | None = None
    description: str | None = None


@dataclass
class Reaction:
    """An emoji on one of our messages; ``emoji`` is None when the customer removed it."""

    message_id: str | None
    emoji: str | None = None


@dataclass
class IdentityChange:
    """WhatsApp telling that a customer's number or business-scoped user id changed (a ``system``
    message): ``change`` is ``number`` or ``user_id``; ``phone`` the new number (E.164) when it may
    be shared; ``user_id`` the new BSUID and ``previous_user_id`` the one it replaces."""

    change: str
    phone: str | None = None
    user_id: str | None = None
    previous_user_id: str | None = None


_SCALARS = frozenset({str, int, float, bool, type(None), datetime})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:  # most values of an event: answered before any other test
        return value
    if isinstance(value, ProviderError):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class InboundMessage:
    """One customer message (reactions included).

    ``sender`` is E.164 with '+', or None when WhatsApp withholds the number of a customer who
    adopted a username: ``user_id`` (Meta's business-scoped user id, BSUID) then names them, and
    ``username`` is their WhatsApp username when they have one. ``recipient`` is the business number when the provider says
    it, ``channel_id`` the provider-side id of the business number or app (Meta
    phone_number_id, Sinch app_id) so one webhook URL can serve many numbers. ``raw`` is the
    provider's own sub-document, kept JSON-serialisable for support and replays.
    """

    event_type: ClassVar[str] = "message"

    provider: str
    provider_message_id: str
    sender: str | None
    kind: str
    timestamp: datetime
    recipient: str | None = None
    channel_id: str | None = None
    profile_name: str | None = None
    text: str | None = None
    caption: str | None = None
    media: MediaRef | None = None
    location: Location | None = None
    contacts: list[dict] = field(default_factory=list)
    reply: Reply | None = None
    reaction: Reaction | None = None
    target_message_id: str | None = None  # the customer's earlier message an edit or a revoke is about
    context_message_id: str | None = None
    forwarded: bool = False
    error: ProviderError | None = None
    raw: dict = field(default_factory=dict)
    user_id: str | None = None
    username: str | None = None
    identity: IdentityChange | None = None  # kind "identity_change": what WhatsApp says changed

    @property
    def customer(self) -> str:
        """Who wrote, as one key: the business-scoped user id when WhatsApp gives one (it stays the
        same whether or not the number comes with it), else the number."""
        return self.user_id or self.sender or ""

    @property
    def reaction_removed(self) -> bool:
        return self.kind == "reaction" and self.reaction is not None and not self.reaction.emoji

    def to_dict(self) -> dict:
        return {"event_type": self.event_type, **_plain(self)}


@dataclass
class StatusUpdate:
    """Delivery news about a message we sent. ``client_ref`` echoes the id we attached on send;
    ``recipient`` names the customer as their messages do: their business-scoped user id when
    WhatsApp gives one, else their number."""

    event_type: ClassVar[str] = "status"

    provider: str
    provider_message_id: str
    status: str
    timestamp: datetime
    recipient: str | None = None
    channel_id: str | None = None
    error: ProviderError | None = None
    client_ref: str | None = None
    #: What the message costs, when the provider says (Meta): {billable, pricing_model, category, type,
    #: conversation_id, origin, expires_at (unix seconds)}; see meta_format.pricing_of.
    pricing: dict | None = None
    raw: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"event_type": self.event_type, **_plain(self)}


@dataclass
class MalformedEvent:
    """An item of a delivery that is neither a message nor a status Parley can take (no valid
    sender, no message id, our own outbound message echoed back): never stored, counted as
    ``malformed`` with its reason, so one bad item neither hides silently nor sinks its batch."""

    event_type: ClassVar[str] = "malformed"

    provider: str
    reason: str
    provider_message_id: str | None = None
    channel_id: str | None = None
    raw: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"event_type": self.event_type, **_plain(self)}


def _rebuild_error(data: dict | None) -> ProviderError | None:
    if not data:
        return None
    fields = {
        k: data.get(k) for k in ("http_status", "category", "retryable", "retry_after", "provider") if data.get(k) is not None
    }
    return ProviderError(data.get("code") or "", data.get("title") or "", data.get("detail"), **fields)


def event_from_dict(data: dict) -> InboundMessage | StatusUpdate:
    """The event ``to_dict`` described: for replaying events that were stored because they failed."""
    data = dict(data)
    kind = data.pop("event_type", "message")
    data["error"] = _rebuild_error(data.get("error"))
    moment = data.get("timestamp")
    if isinstance(moment, str):  # kept as JSON text (see services/channel/webhooks.py)
        moment = data["timestamp"] = datetime.fromisoformat(moment)
    if isinstance(moment, datetime) and moment.tzinfo is None:  # a database may return UTC without its zone
        data["timestamp"] = moment.replace(tzinfo=timezone.utc)
    if kind == "status":
        return StatusUpdate(**data)
    parts = {"media": MediaRef, "location": Location, "reply": Reply, "reaction": Reaction, "identity": IdentityChange}
    for name, cls in parts.items():
        if data.get(name) is not None:
            data[name] = cls(**data[name])
    return InboundMessage(**data)
