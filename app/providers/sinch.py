"""Sinch Conversation API adapter ("Sinch V2"): WhatsApp only, OAuth2 client-credentials, HMAC-signed callbacks.

Callbacks from other channels of the same Sinch app (SMS, Messenger…) are ignored: Parley is
a WhatsApp channel. Not verified in a WhatsApp capture: reactions (``event.contact_message_event``)
and contact cards (expected as ``fallback_message`` or an ``unsupported_callback`` carrying
Meta's raw JSON, which is then read with the Meta parser).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import threading
from urllib.parse import urlsplit

from app.domain import provider_errors

from . import meta_format
from ._parse import (
    as_dict,
    as_float,
    as_str,
    dicts,
    iso_time,
    jsonable,
    load_json,
    load_json_object,
    normalize_phone,
    now_utc,
)
from .base import CredentialField, Provider, WebhookRequest
from .errors import MalformedWebhook, ProviderError, WebhookRejected
from .events import InboundMessage, Location, MediaRef, Reaction, Reply, StatusUpdate
from .http import call, json_object, missing_in_answer, read_capped
from .outbound import OutboundMessage, SendResult, TemplateSpec

MAX_CLOCK_SKEW = 600  # seconds a signed callback may be old (or early) before we refuse a replay
DEFAULT_AUTH_URL = "https://auth.sinch.com/oauth2/token"

_STATUS_MAP = {"QUEUED_ON_CHANNEL": "sent", "DELIVERED": "delivered", "READ": "read", "FAILED": "failed"}


def sinch_signature(body: bytes, nonce: str, timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(secret, body + "." + nonce + "." + timestamp)), padded."""
    signed = body + b"." + nonce.encode() + b"." + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


def sinch_reason_error(reason: dict) -> ProviderError:
    code = as_str(reason.get("code")) or "UNKNOWN"
    category, retryable = provider_errors.classify("sinch", code)
    return ProviderError(
        code,
        code.replace("_", " ").capitalize(),
        as_str(reason.get("description")),
        category=category,
        retryable=retryable,
        provider="sinch",
    )


def _parse_error(body, resp) -> ProviderError | None:
    """Google-style ``{"error": {"code": 400, "message", "status": "INVALID_ARGUMENT"}}``."""
    error = as_dict(as_dict(body).get("error"))
    if not error:
        return None
    return ProviderError(
        as_str(error.get("status")) or str(resp.status_code), "Sinch error", as_str(error.get("message")), provider="sinch"
    )


class SinchProvider(Provider):
    name = "sinch"
    label = "Sinch Conversation API"
    default_api_base = "https://us.conversation.api.sinch.com"
    capabilities = frozenset({"templates", "location"})
    outbound_kinds = frozenset({"text", "image", "audio", "voice", "video", "document", "sticker", "location", "template"})
    credential_fields = (
        CredentialField("project_id", "Project ID"),
        CredentialField("app_id", "Conversation app ID"),
        CredentialField("key_id", "Access key ID"),
        CredentialField("key_secret", "Access key secret", secret=True),
        CredentialField(
            "webhook_secret",
            "Webhook secret",
            secret=True,
            generated=True,
            help="Set it as the secret of the app's webhook; Sinch then signs every callback.",
        ),
    )

    def __init__(self, config, session=None, **kwargs):
        super().__init__(config, session, **kwargs)
        self._token: tuple[str, float] | None = None
        self._token_lock = threading.Lock()

    # -- webhooks -----------------------------------------------------------------------
    def verify_request(self, req: WebhookRequest) -> None:
        signature = req.header("x-sinch-webhook-signature")
        nonce = req.header("x-sinch-webhook-signature-nonce")
        timestamp = req.header("x-sinch-webhook-signature-timestamp")
        if not (signature and nonce and timestamp):
            raise WebhookRejected(401, "missing x-sinch-webhook-signature headers")
        secret = self.credentials.get("webhook_secret")
        if not secret:
            raise WebhookRejected(403, "webhook secret not configured")
        expected = sinch_signature(req.body, nonce, timestamp, str(secret))
        if not hmac.compare_digest(signature.strip().encode(), expected.encode()):
            raise WebhookRejected(403, "signature mismatch")
        sent_at = as_float(timestamp)
        if sent_at is None or abs(self.clock() - sent_at) > MAX_CLOCK_SKEW:
            raise WebhookRejected(403, "stale or future timestamp")

    def parse_webhook(self, req: WebhookRequest) -> list:
        data = load_json_object(req.body)
        app_id = as_str(data.get("app_id"))
        if isinstance(data.get("message"), dict):
            event = self._inbound(data["message"], app_id)
        elif isinstance(data.get("event"), dict):
            event = self._reaction(data["event"], app_id)
        elif isinstance(data.get("message_delivery_report"), dict):
            event = self._delivery(data["message_delivery_report"], data, app_id)
        elif isinstance(data.get("unsupported_callback"), dict):
            return self._unsupported(data["unsupported_callback"])
        elif "app_id" in data or "project_id" in data:
            return []  # contact/conversation notifications and other triggers
        else:
            raise MalformedWebhook("not a Sinch callback")
        return [event] if event else []

    @staticmethod
    def _whatsapp_sender(item: dict) -> str | None:
        identity = as_dict(item.get("channel_identity"))
        if identity.get("channel") != "WHATSAPP":
            return None
        return normalize_phone(identity.get("identity"))

    def _inbound(self, m: dict, app_id) -> InboundMessage | None:
        sender, msg_id = self._whatsapp_sender(m), as_str(m.get("id"))
        if sender is None or msg_id is None or m.get("direction", "TO_APP") != "TO_APP":
            return None
        cm = as_dict(m.get("contact_message"))
        event = InboundMessage(
            provider=self.name,
            provider_message_id=msg_id,
            sender=sender,
            kind="unsupported",
            timestamp=iso_time(m.get("accept_time")) or now_utc(),
            channel_id=app_id,
            context_message_id=as_str(as_dict(cm.get("reply_to")).get("message_id")),
            raw=jsonable(m),
        )
        if "text_message" in cm:
            event.kind, event.text = "text", as_str(as_dict(cm["text_message"]).get("text"))
        elif "media_message" in cm or "media_card_message" in cm:
            media = as_dict(cm.get("media_message") or cm.get("media_card_message"))
            url, filename = as_str(media.get("url")), as_str(media.get("filename_override"))
            mime = mimetypes.guess_type(filename or urlsplit(url or "").path)[0]
            event.kind = _kind_for(mime)
            event.caption = as_str(media.get("caption"))
            event.media = MediaRef(url=url, mime_type=mime, filename=filename, voice=event.kind == "voice")
        elif "location_message" in cm:
            loc = as_dict(cm["location_message"])
            coords = as_dict(loc.get("coordinates"))
            lat, lon = as_float(coords.get("latitude")), as_float(coords.get("longitude"))
            if lat is not None and lon is not None:
                event.kind = "location"
                event.location = Location(lat, lon, as_str(loc.get("title")), as_str(loc.get("label")))
        elif "choice_response_message" in cm:
            choice = as_dict(cm["choice_response_message"])
            postback = as_str(choice.get("postback_data"))
            event.kind, event.reply = "button_reply", Reply(id=postback, payload=postback)
            event.context_message_id = event.context_message_id or as_str(choice.get("message_id"))
        if event.kind == "unsupported":
            fallback = as_dict(cm.get("fallback_message"))
            reason = as_dict(fallback.get("reason"))
            event.error = (
                sinch_reason_error(reason)
                if reason
                else ProviderError("unsupported", "Unsupported message type", None, provider=self.name)
            )
            event.text = as_str(fallback.get("raw_message"))
        return event

    def _reaction(self, e: dict, app_id) -> InboundMessage | None:
        sender, event_id = self._whatsapp_sender(e), as_str(e.get("id"))
        reaction = as_dict(as_dict(e.get("contact_message_event")).get("reaction_event"))
        if sender is None or event_id is None or not reaction:
            return None
        removed = reaction.get("action") == "REACTION_ACTION_UNREACT"
        return InboundMessage(
            provider=self.name,
            provider_message_id=event_id,
            sender=sender,
            kind="reaction",
            timestamp=iso_time(e.get("accept_time")) or now_utc(),
            channel_id=app_id,
            reaction=Reaction(as_str(reaction.get("message_id")), None if removed else as_str(reaction.get("emoji"))),
            raw=jsonable(e),
        )

    def _delivery(self, r: dict, envelope: dict, app_id) -> StatusUpdate | None:
        status, msg_id = _STATUS_MAP.get(as_str(r.get("status")) or ""), as_str(r.get("message_id"))
        recipient = self._whatsapp_sender(r)
        if status is None or msg_id is None or recipient is None:
            return None
        reason = as_dict(r.get("reason"))
        return StatusUpdate(
            provider=self.name,
            provider_message_id=msg_id,
            status=status,
            timestamp=iso_time(envelope.get("event_time")) or iso_time(envelope.get("accepted_time")) or now_utc(),
            recipient=recipient,
            channel_id=app_id,
            error=sinch_reason_error(reason) if status == "failed" and reason else None,
            client_ref=as_str(r.get("metadata")),
            raw=jsonable(r),
        )

    def _unsupported(self, u: dict) -> list:
        """WhatsApp content Sinch cannot map arrives as Meta's raw JSON: read it with the Meta parser."""
        if u.get("channel") != "WHATSAPP":
            return []
        try:
            payload = load_json((as_str(u.get("payload")) or "").encode())
        except MalformedWebhook:
            return []
        payload = as_dict(payload)
        if "entry" in payload:  # a whole Meta envelope rather than one value
            values = [as_dict(c.get("value")) for e in dicts(payload.get("entry")) for c in dicts(e.get("changes"))]
        else:
            values = [payload]
        return [ev for value in values for ev in meta_format.parse_value(value, self.name)]

    # -- outbound -----------------------------------------------------------------------
    def _auth_url(self) -> str:
        """Sinch's auth host for the real regions; anything else (a proxy, the test server) serves it itself."""
        if self.credentials.get("auth_url"):
            return str(self.credentials["auth_url"])
        if urlsplit(self.api_base).netloc.endswith(".api.sinch.com"):
            return DEFAULT_AUTH_URL
        return f"{self.api_base}/oauth2/token"

    def _access_token(self) -> str:
        with self._token_lock:
            if self._token and self._token[1] > self.clock():
                return self._token[0]
            resp = call(
                self.session,
                "POST",
                self._auth_url(),
                provider=self.name,
                timeout=self.timeout,
                data={"grant_type": "client_credentials"},
                auth=(self.credential("key_id"), self.credential("key_secret")),
            )
            data = json_object(resp, self.name)
            token = as_str(data.get("access_token"))
            if not token:
                raise ProviderError("bad_token", "Sinch gave no access token", None, category="auth", provider=self.name)
            lifetime = as_float(data.get("expires_in")) or 3600
            self._token = (token, self.clock() + max(lifetime - 60, lifetime / 2))  # refresh a minute early
            return token

    def _call(self, method: str, url: str, **kwargs):
        """A Conversation API call; a 401 drops the cached token and tries once more with a fresh one."""
        extra_headers = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {**extra_headers, "Authorization": f"Bearer {self._access_token()}"}
            try:
                return call(
                    self.session,
                    method,
                    url,
                    provider=self.name,
                    timeout=self.timeout,
                    parse_error=_parse_error,
                    headers=headers,
                    **kwargs,
                )
            except ProviderError as exc:
                if exc.http_status != 401 or attempt == 2:
                    raise
                with self._token_lock:
                    self._token = None
        raise AssertionError("unreachable")

    def build_body(self, msg: OutboundMessage) -> dict:
        body = {
            "app_id": self.credential("app_id"),
            "recipient": {"identified_by": {"channel_identities": [{"channel": "WHATSAPP", "identity": msg.to}]}},
            "message": self._message(msg),
        }
        if msg.client_ref:
            body["message_metadata"] = msg.client_ref
        return body

    def _message(self, msg: OutboundMessage) -> dict:
        if msg.kind == "text":
            return {"text_message": {"text": msg.text or ""}}
        if msg.kind == "location":
            loc = msg.location
            if loc is None:
                raise ProviderError("no_location", "Location missing", None, category="bad_request", provider=self.name)
            return {
                "location_message": {
                    "title": loc.name or "",
                    "label": loc.address or "",
                    "coordinates": {"latitude": loc.latitude, "longitude": loc.longitude},
                }
            }
        if msg.kind == "template":
            return {"template_message": {"channel_template": {"WHATSAPP": _template(msg.template)}}}
        media = msg.media
        if media is None or not media.link:
            raise ProviderError(
                "no_media_link", "Sinch needs a public media URL", None, category="bad_request", provider=self.name
            )
        message = {"url": media.link}
        if media.filename:
            message["filename_override"] = media.filename
        return {"media_message": message}

    def _send(self, msg: OutboundMessage) -> SendResult:
        url = f"{self.api_base}/v1/projects/{self.credential('project_id')}/messages:send"
        data = json_object(self._call("POST", url, json=self.build_body(msg)), self.name)
        message_id = as_str(data.get("message_id"))
        if not message_id:
            raise missing_in_answer(self.name, "Sinch", "message_id")
        return SendResult(message_id, data)

    def download_media(self, media_ref: MediaRef) -> tuple[bytes, str | None]:
        """Inbound media URLs are pre-signed links on Sinch's storage: no credentials are sent."""
        if not media_ref.url:
            raise ProviderError("no_media", "Nothing to download", None, category="media", provider=self.name)
        resp = call(self.session, "GET", media_ref.url, provider=self.name, timeout=self.timeout, stream=True)
        return read_capped(resp, self.name), resp.headers.get("Content-Type") or media_ref.mime_type


def _template(spec: TemplateSpec | None) -> dict:
    """WhatsApp channel template: parameters keyed ``<component>[<button index>]<sub_type>[<n>]<field>``.
    Media header keys (``header[1]<type>.link``) are not confirmed by a Sinch sample."""
    if spec is None or not spec.name:
        raise ProviderError("no_template", "Template missing", None, category="bad_request", provider="sinch")
    if spec.named_params or any(isinstance(p, dict) for p in spec.body_params):
        raise ProviderError(
            "unsupported_params", "Sinch takes positional text parameters only", None, category="bad_request", provider="sinch"
        )
    params: dict[str, str] = {}
    if spec.header is not None:
        if spec.header.type == "text":
            params["header[1]text"] = spec.header.text or ""
        else:
            params[f"header[1]{spec.header.type}.link"] = spec.header.link or ""
    for i, value in enumerate(spec.body_params, 1):
        params[f"body[{i}]text"] = str(value)
    for button in spec.buttons:
        field, value = ("payload", button.payload) if button.sub_type == "quick_reply" else ("text", button.text)
        params[f"button[{button.index}]{button.sub_type}[1]{field}"] = value or ""
    template = {"template_id": spec.name, "language_code": spec.language}
    if params:
        template["parameters"] = params
    return template


def _kind_for(mime: str | None) -> str:
    if not mime:
        return "document"
    if mime == "image/webp":
        return "sticker"
    if mime in ("audio/ogg", "audio/opus"):
        return "voice"
    family = mime.split("/")[0]
    return family if family in ("image", "audio", "video") else "document"
