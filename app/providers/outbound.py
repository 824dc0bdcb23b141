"""What Parley asks an adapter to send, independent of any provider's wire format."""

from __future__ import annotations

from dataclasses import dataclass, field

from .events import Location

OUTBOUND_KINDS = frozenset(
    {
        "text",
        "image",
        "audio",
        "voice",
        "video",
        "document",
        "sticker",
        "location",
        "template",
        "reaction",
        "interactive",
    }
)


@dataclass
class OutboundMedia:
    """An attachment already reachable by the provider: an uploaded ``media_id`` or a public ``link``."""

    media_id: str | None = None
    link: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None


@dataclass
class TemplateHeader:
    """A template header parameter: ``type`` is text, image, video or document."""

    type: str = "text"
    text: str | None = None
    media_id: str | None = None
    link: str | None = None
    filename: str | None = None


@dataclass
class TemplateButton:
    """A dynamic button parameter: ``sub_type`` quick_reply (payload) or url (text suffix)."""

    sub_type: str = "quick_reply"
    index: int = 0
    payload: str | None = None
    text: str | None = None


@dataclass
class TemplateSpec:
    """An approved template and its parameters.

    ``body_params`` items are strings (text parameters) or complete Meta parameter objects
    (currency, date_time), passed as they are. ``named_params`` fills templates created with
    named placeholders. ``components`` overrides everything with ready Meta components.
    Twilio sends templates only as Content API items: ``content_sid`` plus
    ``content_variables`` (or, failing that, the body/named params numbered from "1").
    """

    name: str | None = None
    language: str = "en"
    header: TemplateHeader | None = None
    body_params: list = field(default_factory=list)
    named_params: dict[str, str] = field(default_factory=dict)
    buttons: list[TemplateButton] = field(default_factory=list)
    components: list[dict] | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


@dataclass
class OutboundReaction:
    """React to ``message_id``; an empty or None ``emoji`` removes our reaction."""

    message_id: str
    emoji: str | None = None


@dataclass
class OutboundMessage:
    """One message to a customer.

    ``to`` is E.164, or empty when WhatsApp withheld the customer's number: ``user_id`` (their
    business-scoped user id) then addresses them, where the provider can (Meta).
    ``reply_to`` quotes a provider message id where supported;
    ``client_ref`` is Parley's own message id, echoed back by status webhooks where the
    provider allows it (Meta biz_opaque_callback_data, Kaleyra ref, Sinch message_metadata).
    ``interactive`` is a Meta interactive object (buttons, lists) for chatbots, sent as is.
    ``window_open`` says whether the customer wrote within 24 hours: WhatsApp knows it and real
    providers ignore it; the sandbox, standing in for WhatsApp, enforces the window with it.
    """

    to: str
    kind: str
    text: str | None = None
    preview_url: bool = False
    media: OutboundMedia | None = None
    location: Location | None = None
    template: TemplateSpec | None = None
    reaction: OutboundReaction | None = None
    interactive: dict | None = None
    reply_to: str | None = None
    client_ref: str | None = None
    window_open: bool | None = None
    user_id: str | None = None


@dataclass
class SendResult:
    provider_message_id: str
    raw: dict = field(default_factory=dict)
