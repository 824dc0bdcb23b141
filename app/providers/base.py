"""The one interface every WhatsApp provider adapter implements, plus the plain request the web layer hands it.

Nothing here knows Flask or MongoDB: the web layer copies the HTTP request into a
``WebhookRequest`` and stores whatever events come back; RQ jobs call ``send`` and decide
retries from ``ProviderError.retryable``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from .errors import MalformedWebhook, ProviderError, WebhookRejected
from .events import InboundMessage, StatusUpdate
from .http import default_timeout, make_session
from .outbound import OUTBOUND_KINDS, OutboundMessage, SendResult

__all__ = [
    "CredentialField",
    "Event",
    "MalformedWebhook",
    "Provider",
    "ProviderError",
    "WebhookRejected",
    "WebhookRequest",
    "generate_secret",
]

Event = InboundMessage | StatusUpdate


def _multi(mapping: Any) -> dict[str, list[str]]:
    """``{name: [values]}`` from a dict of strings or lists, or a MultiDict-like object."""
    if mapping is None:
        return {}
    if hasattr(mapping, "to_dict"):  # werkzeug MultiDict, without importing it
        mapping = mapping.to_dict(flat=False)
    out: dict[str, list[str]] = {}
    for key, value in dict(mapping).items():
        values = value if isinstance(value, list | tuple) else [value]
        out[str(key)] = [str(v) for v in values]
    return out


@dataclass
class WebhookRequest:
    """An incoming webhook as plain data.

    ``url`` is the public URL exactly as the provider called it, query string included
    (Twilio signs it; rebuild it from the public base URL behind proxies). ``headers`` may
    be any mapping; it is stored as a dict with lower-cased keys. ``args`` and ``form`` are
    stored as ``{name: [values]}``; build them from dicts of strings or of lists.
    ``body`` is the raw bytes, read before any parsing: signatures cover those bytes.
    """

    method: str = "POST"
    url: str = ""
    path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    args: Mapping[str, Any] = field(default_factory=dict)
    form: Mapping[str, Any] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""

    def __post_init__(self):
        self.method = (self.method or "GET").upper()
        items = self.headers.items() if hasattr(self.headers, "items") else self.headers
        self.headers = {str(k).lower(): str(v) for k, v in items}
        self.args = _multi(self.args)
        self.form = _multi(self.form)
        self.body = bytes(self.body or b"")
        if not self.content_type:
            self.content_type = self.headers.get("content-type", "")
        if not self.path and self.url:
            self.path = urlsplit(self.url).path

    @classmethod
    def from_http(cls, method: str, url: str, headers: Mapping[str, str] | None = None, body: bytes = b"") -> WebhookRequest:
        """Build from the raw pieces: query args from ``url``, form fields from a urlencoded body."""
        headers = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        content_type = headers.get("content-type", "")
        form = {}
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        args = parse_qs(urlsplit(url).query, keep_blank_values=True)
        return cls(method=method, url=url, headers=headers, args=args, form=form, body=body, content_type=content_type)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str) -> str | None:
        values = self.args.get(name)
        return values[0] if values else None

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


@dataclass(frozen=True)
class CredentialField:
    """One setting an admin fills in for an account. ``secret`` ones are encrypted and never shown again;
    ``generated`` ones Parley fills with ``generate_secret()`` and shows so the admin can paste
    them into the provider's console."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    generated: bool = False
    help: str = ""


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


class Provider:
    """Base class of all adapters.

    ``config`` = {"provider", "phone": E.164, "api_base": str | None, "credentials": {…decrypted…},
    "webhook_url": public URL of this account's webhook, "timeout": optional (connect, read)}.
    The caller owns the ``requests.Session`` (one per account keeps connections warm).
    """

    name: str = ""
    label: str = ""
    capabilities: frozenset[str] = frozenset()
    outbound_kinds: frozenset[str] = frozenset()
    credential_fields: tuple[CredentialField, ...] = ()
    default_api_base: str = ""

    def __init__(
        self,
        config: Mapping[str, Any],
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ):
        self.config = dict(config)
        self.phone: str | None = self.config.get("phone")
        self.credentials: dict[str, Any] = dict(self.config.get("credentials") or {})
        self.api_base = (self.config.get("api_base") or self.default_api_base).rstrip("/")
        self.webhook_url: str | None = self.config.get("webhook_url")
        self.timeout = tuple(self.config.get("timeout") or default_timeout())
        self.session = session or make_session()
        self.clock = clock

    # -- capabilities -------------------------------------------------------------------
    def supports(self, kind_or_capability: str) -> bool:
        return kind_or_capability in self.capabilities or kind_or_capability in self.outbound_kinds

    def credential(self, name: str) -> str:
        """A required credential, or an auth error naming it (the admin must complete the account)."""
        value = self.credentials.get(name)
        if not value:
            raise ProviderError(
                "missing_credential",
                "Account is not fully configured",
                f"The {self.label} account has no '{name}'.",
                category="auth",
                provider=self.name,
            )
        return str(value)

    def unsupported(self, what: str) -> ProviderError:
        return ProviderError(
            "unsupported",
            "Not supported by this provider",
            f"{self.label} accounts cannot {what}.",
            category="bad_request",
            provider=self.name,
        )

    # -- webhooks -----------------------------------------------------------------------
    def verify_handshake(self, req: WebhookRequest) -> str | None:
        """Answer a subscription handshake (Meta's GET hub.challenge); None when there is none."""
        return None

    def verify_request(self, req: WebhookRequest) -> None:
        """Raise ``WebhookRejected`` unless the request provably comes from the provider."""
        raise NotImplementedError

    def parse_webhook(self, req: WebhookRequest) -> list[Event]:
        """Normalized events; raises only ``MalformedWebhook``."""
        raise NotImplementedError

    # -- outbound -----------------------------------------------------------------------
    def send(self, msg: OutboundMessage) -> SendResult:
        if msg.kind not in OUTBOUND_KINDS or not self.supports(msg.kind):
            raise self.unsupported(f"send {msg.kind} messages")
        return self._send(msg)

    def _send(self, msg: OutboundMessage) -> SendResult:
        raise NotImplementedError

    def upload_media(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        raise self.unsupported("upload media")

    def download_media(self, media_ref) -> tuple[bytes, str | None]:
        raise self.unsupported("download media")

    def mark_read(self, provider_message_id: str, typing: bool = False) -> None:
        raise self.unsupported("mark messages as read")

    def show_typing(self, provider_message_id: str) -> None:
        """Show the customer that an agent is typing, in answer to their message `provider_message_id`.
        Adapters with the ``typing_indicator`` capability override it; elsewhere it does nothing, since
        a missing "typing…" costs the customer nothing."""

    def fetch_templates(self) -> list[dict]:
        raise self.unsupported("list templates")
