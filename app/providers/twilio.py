"""Twilio Programmable Messaging adapter (WhatsApp senders): form-encoded webhooks signed with X-Twilio-Signature.

Not verified against captures, so deliberately not parsed: inbound reactions, contact cards
(arrive as a ``text/vcard`` attachment and become a ``contacts`` message with the vCard as
media) and list replies (``ListId``/``ListTitle``, read when present).
"""

from __future__ import annotations

import json

from twilio.request_validator import RequestValidator, get_signature_algorithm

from app.domain import provider_errors

from ._parse import as_str, normalize_phone, now_utc
from .base import CredentialField, Provider, WebhookRequest
from .errors import MalformedWebhook, ProviderError, WebhookRejected
from .events import InboundMessage, Location, MediaRef, Reply, StatusUpdate
from .http import call, json_object, missing_in_answer, read_capped
from .outbound import OutboundMessage, SendResult

_STATUS_MAP = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed", "undelivered": "failed"}


def twilio_error(code, message=None, *, http_status=None) -> ProviderError:
    code = as_str(code) or (str(http_status) if http_status else "unknown")
    category, retryable = provider_errors.classify("twilio", code)
    return ProviderError(
        code, "Twilio error", as_str(message) or f"Twilio error {code}", category=category, retryable=retryable, provider="twilio"
    )


def _parse_error(body, resp) -> ProviderError | None:
    """Legacy ``{code, message, more_info, status}`` and RFC 9457 ``{type, title, status, code, detail}``."""
    if not isinstance(body, dict) or body.get("code") is None:
        return None
    error = twilio_error(body.get("code"), body.get("message") or body.get("detail"), http_status=resp.status_code)
    if error.category == "other" and resp.status_code in (401, 403):
        error.category = "auth"
    return error


class _Params(dict):
    """``{name: [values]}`` with the ``getall`` RequestValidator expects for repeated fields."""

    def getall(self, name):
        return self[name]


class TwilioProvider(Provider):
    name = "twilio"
    label = "Twilio"
    default_api_base = "https://api.twilio.com"
    capabilities = frozenset({"templates", "location"})
    outbound_kinds = frozenset({"text", "image", "audio", "voice", "video", "document", "sticker", "location", "template"})
    credential_fields = (
        CredentialField("account_sid", "Account SID"),
        CredentialField("auth_token", "Auth token", secret=True, help="Also signs every webhook."),
        CredentialField("messaging_service_sid", "Messaging Service SID", required=False),
    )

    # -- webhooks -----------------------------------------------------------------------
    def _params(self, req: WebhookRequest) -> dict[str, list[str]]:
        return req.form if req.method == "POST" else req.args

    def verify_request(self, req: WebhookRequest) -> None:
        signature = req.header("x-twilio-signature")
        if not signature:
            raise WebhookRejected(401, "missing X-Twilio-Signature")
        token = self.credentials.get("auth_token")
        if not token:
            raise WebhookRejected(403, "auth token not configured")
        validator = RequestValidator(str(token))
        algorithm = get_signature_algorithm(req.header("x-twilio-webhooks-signature-settings"))
        json_body = req.media_type == "application/json"
        params = req.body.decode("utf-8", "replace") if json_body else _Params(req.form if req.method == "POST" else {})
        for url in self._signed_urls(req):
            if validator.validate(url, params, signature, algorithm):
                return
        raise WebhookRejected(403, "signature mismatch")

    def _signed_urls(self, req: WebhookRequest) -> list[str]:
        """Twilio signs the URL it called, query included: try the configured public URL first
        (with the request's query when the configured one has none), then the URL as received."""
        urls = []
        if self.webhook_url:
            query = req.url.partition("?")[2]
            urls.append(self.webhook_url if "?" in self.webhook_url or not query else f"{self.webhook_url}?{query}")
        if req.url:
            urls.append(req.url)
        return urls

    def parse_webhook(self, req: WebhookRequest) -> list:
        p = {k: v[0] for k, v in self._params(req).items() if v}
        sid = as_str(p.get("MessageSid")) or as_str(p.get("SmsSid"))
        if sid is None:
            raise MalformedWebhook("no MessageSid")
        if p.get("MessageStatus", "received") not in ("received", "receiving"):
            return self._status(sid, p)
        sender = normalize_phone(p.get("From"))
        if sender is None:
            raise MalformedWebhook("no usable From")
        base = {
            "provider": self.name,
            "sender": sender,
            "timestamp": now_utc(),
            "recipient": normalize_phone(p.get("To")),
            "channel_id": _channel(p),
            "profile_name": as_str(p.get("ProfileName")),
            "context_message_id": as_str(p.get("OriginalRepliedMessageSid")),
            "forwarded": p.get("Forwarded") == "true" or p.get("FrequentlyForwarded") == "true",
            "raw": p,
        }
        return self._media_messages(sid, p, base) or [self._single(sid, p, base)]

    def _single(self, sid: str, p: dict, base: dict) -> InboundMessage:
        event = InboundMessage(provider_message_id=sid, kind="text", text=as_str(p.get("Body")), **base)
        latitude, longitude = p.get("Latitude"), p.get("Longitude")
        if latitude and longitude:
            try:
                event.location = Location(float(latitude), float(longitude), as_str(p.get("Label")), as_str(p.get("Address")))
                event.kind, event.text = "location", None
            except ValueError:
                pass
        elif p.get("ListId"):
            event.kind = "list_reply"
            event.reply = Reply(id=p["ListId"], title=as_str(p.get("ListTitle")), payload=p["ListId"])
        elif p.get("ButtonPayload") or p.get("ButtonText"):
            event.kind = "button_reply"
            event.reply = Reply(
                id=as_str(p.get("ButtonPayload")), title=as_str(p.get("ButtonText")), payload=as_str(p.get("ButtonPayload"))
            )
        return event

    def _media_messages(self, sid: str, p: dict, base: dict) -> list[InboundMessage]:
        """One event per attachment (WhatsApp sends one; Twilio allows up to 10). The first keeps
        the MessageSid and the Body as caption; later ones get ``<sid>/<n>`` so dedup still works."""
        events = []
        for i in range(10):
            url = as_str(p.get(f"MediaUrl{i}"))
            if url is None:
                break
            mime = as_str(p.get(f"MediaContentType{i}")) or "application/octet-stream"
            kind = _kind_for(mime)
            events.append(
                InboundMessage(
                    provider_message_id=sid if i == 0 else f"{sid}/{i}",
                    kind=kind,
                    caption=as_str(p.get("Body")) if i == 0 else None,
                    media=MediaRef(url=url, mime_type=mime, voice=kind == "voice", provider_media_id=url.rsplit("/", 1)[-1]),
                    **base,
                )
            )
        return events

    def _status(self, sid: str, p: dict) -> list[StatusUpdate]:
        status = _STATUS_MAP.get(p.get("MessageStatus", ""))
        if status is None:  # queued, accepted, sending… say nothing new to an agent
            return []
        error = twilio_error(p["ErrorCode"], p.get("ErrorMessage")) if p.get("ErrorCode") else None
        return [
            StatusUpdate(
                provider=self.name,
                provider_message_id=sid,
                status=status,
                timestamp=now_utc(),
                recipient=normalize_phone(p.get("To")),
                channel_id=_channel(p),
                error=error,
                raw=p,
            )
        ]

    # -- outbound -----------------------------------------------------------------------
    def _call(self, method: str, url: str, **kwargs):
        auth = (self.credential("account_sid"), self.credential("auth_token"))
        return call(
            self.session, method, url, provider=self.name, timeout=self.timeout, parse_error=_parse_error, auth=auth, **kwargs
        )

    def build_form(self, msg: OutboundMessage) -> list[tuple[str, str]]:
        """The Messages.json form, in the order Twilio's docs list the fields."""
        service = self.credentials.get("messaging_service_sid")
        if not service and not self.phone:
            raise ProviderError("no_sender", "Account has no WhatsApp number", None, category="auth", provider=self.name)
        form = [("MessagingServiceSid", service)] if service else [("From", f"whatsapp:{self.phone}")]
        form.append(("To", f"whatsapp:{msg.to}"))
        if msg.kind == "template":
            spec = msg.template
            if spec is None or not spec.content_sid:
                raise ProviderError(
                    "no_content_sid",
                    "Template needs a Content SID",
                    "Twilio sends templates only as Content API items (HX…).",
                    category="bad_request",
                    provider=self.name,
                )
            variables = spec.content_variables
            if variables is None:
                values = [str(v) for v in spec.body_params if not isinstance(v, dict)]
                variables = {str(i): v for i, v in enumerate(values, 1)} | dict(spec.named_params)
            form.append(("ContentSid", spec.content_sid))
            if variables:
                form.append(("ContentVariables", json.dumps(variables, separators=(",", ":"))))
        elif msg.kind == "location":
            loc = msg.location
            if loc is None:
                raise ProviderError("no_location", "Location missing", None, category="bad_request", provider=self.name)
            label = loc.name or loc.address or ""
            form.append(("Body", msg.text or label or "Location"))
            form.append(("PersistentAction", f"geo:{loc.latitude},{loc.longitude}|{label}"))
        elif msg.kind == "text":
            form.append(("Body", msg.text or ""))
        else:
            media = msg.media
            if media is None or not media.link:
                raise ProviderError(
                    "no_media_link", "Twilio needs a public media URL", None, category="bad_request", provider=self.name
                )
            if media.caption:
                form.append(("Body", media.caption))
            form.append(("MediaUrl", media.link))
        if self.webhook_url:
            form.append(("StatusCallback", self.webhook_url))
        return form

    def _send(self, msg: OutboundMessage) -> SendResult:
        url = f"{self.api_base}/2010-04-01/Accounts/{self.credential('account_sid')}/Messages.json"
        data = json_object(self._call("POST", url, data=self.build_form(msg)), self.name)
        sid = as_str(data.get("sid"))
        if not sid:
            raise missing_in_answer(self.name, "Twilio", "sid")
        return SendResult(sid, data)

    def download_media(self, media_ref: MediaRef) -> tuple[bytes, str | None]:
        """MediaUrl needs HTTP Basic auth; Twilio redirects to storage, where requests drops the header."""
        if not media_ref.url:
            raise ProviderError("no_media", "Nothing to download", None, category="media", provider=self.name)
        resp = self._call("GET", media_ref.url, stream=True)
        return read_capped(resp, self.name), resp.headers.get("Content-Type") or media_ref.mime_type


def _channel(p: dict) -> str | None:
    """The Messaging Service (or account) the webhook belongs to, for routing."""
    return as_str(p.get("MessagingServiceSid")) or as_str(p.get("AccountSid"))


def _kind_for(mime: str) -> str:
    mime = mime.split(";")[0].strip().lower()
    if mime == "image/webp":
        return "sticker"
    if mime in ("text/vcard", "text/x-vcard"):
        return "contacts"
    if mime == "audio/ogg":  # WhatsApp voice notes are OGG/Opus; other audio is a file
        return "voice"
    family = mime.split("/")[0]
    return family if family in ("image", "audio", "video") else "document"
