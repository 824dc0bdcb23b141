"""WhatsApp provider adapters behind one interface: verify and parse webhooks, send messages, fetch media.

Framework-free on purpose (no Flask, no MongoDB): the web layer builds a ``WebhookRequest``,
jobs call ``send`` and decide retries from ``ProviderError``.
"""

from .base import CredentialField, Provider, WebhookRequest
from .errors import (
    WINDOW_CLOSED_MESSAGE,
    MalformedWebhook,
    ProviderError,
    WebhookRejected,
)
from .events import InboundMessage, Location, MediaRef, Reaction, Reply, StatusUpdate
from .outbound import (
    OutboundMedia,
    OutboundMessage,
    OutboundReaction,
    SendResult,
    TemplateButton,
    TemplateHeader,
    TemplateSpec,
)
from .registry import PROVIDERS, get_provider, provider_choices

__all__ = [
    "PROVIDERS",
    "WINDOW_CLOSED_MESSAGE",
    "CredentialField",
    "InboundMessage",
    "Location",
    "MalformedWebhook",
    "MediaRef",
    "OutboundMedia",
    "OutboundMessage",
    "OutboundReaction",
    "Provider",
    "ProviderError",
    "Reaction",
    "Reply",
    "SendResult",
    "StatusUpdate",
    "TemplateButton",
    "TemplateHeader",
    "TemplateSpec",
    "WebhookRejected",
    "WebhookRequest",
    "get_provider",
    "provider_choices",
]
