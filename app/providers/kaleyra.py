"""Kaleyra adapter: sends through WhatsApp API v2, reads every callback shape Kaleyra has used.

Inbound shapes, told apart by their keys (the parser is lenient on purpose):
- v2: ``{"meta_object": {"value": <Meta webhook value>, "field": "messages"}, "extra_info": {…}}``
  for messages and statuses; ``extra_info.media_url`` is Kaleyra's copy of an attachment.
- v1 callback profile: flattened fields (``from, name, type, body, media_url, mime_type,
  created_at, reply_to, wanumber, location, contacts``) as a GET query or a POST body.
- On-Premises era: Meta's ``contacts[]/messages[]/statuses[]`` at the top level.
- Number quality (``display_phone_number&event=…``) and template-status callbacks: no events.

Kaleyra signs nothing. Parley's answer is a shared secret: put the account's
``webhook_secret`` in the callback profile either as a custom header ``X-Parley-Secret`` or as
``?secret=`` in the callback URL (use HTTPS so it travels encrypted).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import quote, urlsplit

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
from .events import InboundMessage, Location, MalformedEvent, MediaRef, Reply, StatusUpdate
from .http import call, json_object, missing_in_answer, read_capped
from .outbound import OutboundMessage, SendResult

AUTH_HEADER = "X-Parley-Secret"
AUTH_ARG = "secret"
_STATUS_MAP = {**meta_format.STATUS_MAP, "not-sent": "failed", "not_sent": "failed"}
_V1_MEDIA = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "voice": "voice",
    "document": "document",
    "file": "document",
    "sticker": "sticker",
}


class KaleyraProvider(Provider):
    name = "kaleyra"
    label = "Kaleyra"
    default_api_base = "https://api.in.kaleyra.io"
    # v2 forwards Meta's message objects, and Kaleyra documents v2 reply (context) and reaction sends.
    capabilities = frozenset({"templates", "reactions", "quote_reply", "location", "start_conversation"})
    outbound_kinds = frozenset(
        {"text", "image", "audio", "voice", "video", "document", "sticker", "location", "template", "reaction", "interactive"}
    )
    credential_fields = (
        CredentialField("sid", "Account SID"),
        CredentialField("api_key", "API key", secret=True),
        CredentialField(
            "webhook_secret",
            "Callback secret",
            secret=True,
            generated=True,
            help=f"Send it as the {AUTH_HEADER} header of the callback profile, or as ?{AUTH_ARG}= in its URL.",
        ),
    )

    # -- webhooks -----------------------------------------------------------------------
    def verify_request(self, req: WebhookRequest) -> None:
        given = req.header(AUTH_HEADER) or req.arg(AUTH_ARG)
        if not given:
            raise WebhookRejected(401, f"missing {AUTH_HEADER}")
        secret = str(self.credentials.get("webhook_secret") or "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            raise WebhookRejected(403, "wrong webhook secret")

    def parse_webhook(self, req: WebhookRequest) -> list:
        data = self._payload(req)
        if "meta_object" in data:
            return self._v2(data)
        if "entry" in data:
            value_list = [as_dict(c.get("value")) for e in dicts(data.get("entry")) for c in dicts(e.get("changes"))]
            return [ev for value in value_list for ev in meta_format.parse_value(value, self.name)]
        if "messages" in data or "statuses" in data:
            return meta_format.parse_value(data, self.name)
        if "from" in data or "mobile" in data:
            return [self._v1(data)]
        if "event" in data or "message_template_id" in data:
            return []  # number quality / template status news: nothing for a conversation
        status = self._top_level_status(data)
        if status is not None:
            return [status]
        raise MalformedWebhook("unrecognised Kaleyra callback")

    def _payload(self, req: WebhookRequest) -> dict:
        if req.body.strip():
            if req.media_type == "application/x-www-form-urlencoded":
                return {k: v[0] for k, v in req.form.items() if v}
            return load_json_object(req.body)
        args = {k: v[0] for k, v in req.args.items() if v and k != AUTH_ARG}
        if not args:
            raise MalformedWebhook("empty callback")
        return args

    def _v2(self, data: dict) -> list:
        extra = as_dict(data.get("extra_info"))
        events = meta_format.parse_value(as_dict(as_dict(data.get("meta_object")).get("value")), self.name)
        # Kaleyra repeats the id its send API returned at the top level (and in extra_info).
        top_id = as_str(data.get("message_id")) or as_str(extra.get("message_id"))
        statuses = [e for e in events if isinstance(e, StatusUpdate)]
        for event in statuses:
            if top_id and len(statuses) == 1:
                event.provider_message_id = top_id
            event.client_ref = event.client_ref or as_str(extra.get("ref"))
        media_url = as_str(extra.get("media_url"))
        for event in events:
            if isinstance(event, InboundMessage) and event.media and media_url:
                event.media.url = media_url
        if not events:
            status = self._top_level_status(data)
            events = [status] if status else []
        return events

    def _top_level_status(self, data: dict) -> StatusUpdate | None:
        """``{"status": "not-sent", "message_id": …}``: a status Meta never saw, so no meta_object."""
        status = _STATUS_MAP.get((as_str(data.get("status")) or "").lower())
        msg_id = as_str(data.get("message_id"))
        if status is None or msg_id is None:
            return None
        error = None
        if status == "failed":
            code = as_str(data.get("error_code")) or "not_sent"
            category, retryable = provider_errors.classify(self.name, code)
            error = ProviderError(
                code,
                "Kaleyra did not send the message",
                as_str(data.get("error")) or as_str(data.get("reason")),
                category=category,
                retryable=retryable,
                provider=self.name,
            )
        return StatusUpdate(
            provider=self.name,
            provider_message_id=msg_id,
            status=status,
            timestamp=now_utc(),
            error=error,
            client_ref=as_str(as_dict(data.get("extra_info")).get("ref")),
            raw=jsonable(data),
        )

    def _v1(self, d: dict) -> InboundMessage | MalformedEvent:
        sender = normalize_phone(d.get("from")) or normalize_phone(d.get("mobile"))
        if sender is None:
            raise MalformedWebhook("callback has no usable 'from'")
        if sender == normalize_phone(self.phone):
            # v1's send form has the same flat fields, with the business number as 'from'.
            reason = "sent from this account's own number: an outbound message, not a customer's"
            return MalformedEvent(self.name, reason, as_str(d.get("id")) or as_str(d.get("message_id")), raw=jsonable(d))
        kind = (as_str(d.get("type")) or "text").lower()
        # v1 callbacks carry no message id: derive a stable one so a replay dedupes.
        digest = hashlib.sha256(json.dumps(jsonable(d), sort_keys=True, default=str).encode()).hexdigest()[:32]
        event = InboundMessage(
            provider=self.name,
            provider_message_id=as_str(d.get("id")) or as_str(d.get("message_id")) or f"kaleyra.v1.{digest}",
            sender=sender,
            kind="unsupported",
            timestamp=iso_time(d.get("created_at")) or now_utc(),
            recipient=normalize_phone(d.get("wanumber")),
            profile_name=as_str(d.get("name")),
            context_message_id=as_str(d.get("reply_to")),
            raw=jsonable(d),
        )
        body = as_str(d.get("body"))
        if kind == "text":
            event.kind, event.text = "text", body
        elif kind in _V1_MEDIA:
            mime = as_str(d.get("mime_type"))
            event.kind = "voice" if kind == "audio" and (mime or "").startswith("audio/ogg") else _V1_MEDIA[kind]
            event.caption = body
            event.media = MediaRef(url=as_str(d.get("media_url")), mime_type=mime, voice=event.kind == "voice")
        elif kind == "location":
            event.location = _v1_location(d.get("location"))
            event.kind = "location" if event.location else "unsupported"
        elif kind == "contacts":
            cards = _maybe_json(d.get("contacts"))
            event.kind = "contacts"
            event.contacts = [meta_format.contact_card(c) for c in dicts(cards if isinstance(cards, list) else [cards])]
        elif kind in ("button", "interactive", "quick_reply"):
            # A template's quick-reply button comes as ``quick_reply`` (or Meta's ``button``); a reply
            # to an interactive message as ``interactive``.
            event.kind = "button_reply" if kind == "interactive" else "template_reply"
            payload = as_str(d.get("custom_response")) or body
            event.reply, event.text = Reply(id=payload, title=body, payload=payload), body
        if event.kind == "unsupported":
            event.error = ProviderError(kind, "Unsupported message type", f"Kaleyra type '{kind}'", provider=self.name)
            event.text = body
        return event

    # -- outbound -----------------------------------------------------------------------
    def _call(self, method: str, url: str, **kwargs):
        kwargs.setdefault("headers", {})["api-key"] = self.credential("api_key")
        return call(self.session, method, url, provider=self.name, timeout=self.timeout, parse_error=_parse_error, **kwargs)

    def build_body(self, msg: OutboundMessage) -> dict:
        messaging = meta_format.build_message(msg)
        messaging.pop("biz_opaque_callback_data", None)  # Kaleyra's own ``ref`` carries it instead
        body = {"messaging_object": messaging}
        if msg.client_ref:
            body["extra_info"] = {"ref": msg.client_ref}
        return body

    def _send(self, msg: OutboundMessage) -> SendResult:
        if not self.phone:
            raise ProviderError("no_sender", "Account has no WhatsApp number", None, category="auth", provider=self.name)
        url = f"{self.api_base}/v2/{self.credential('sid')}/whatsapp/{quote(self.phone, safe='+')}/messages"
        data = json_object(self._call("POST", url, json=self.build_body(msg)), self.name)
        message_id = _message_id(data)
        if not message_id:
            raise missing_in_answer(self.name, "Kaleyra", "message id", data)
        return SendResult(message_id, data)

    def download_media(self, media_ref: MediaRef) -> tuple[bytes, str | None]:
        """Kaleyra hands out its own storage links; the API key only goes to Kaleyra's API host."""
        if not media_ref.url:
            raise ProviderError("no_media", "Nothing to download", None, category="media", provider=self.name)
        if urlsplit(media_ref.url).netloc == urlsplit(self.api_base).netloc:
            resp = self._call("GET", media_ref.url, stream=True)
        else:
            resp = call(self.session, "GET", media_ref.url, provider=self.name, timeout=self.timeout, stream=True)
        return read_capped(resp, self.name), resp.headers.get("Content-Type") or media_ref.mime_type


def _parse_error(body, resp) -> ProviderError | None:
    """Meta's envelope when Kaleyra relays it, else Kaleyra's ``{code, message}`` / ``{error: {…}}``."""
    error = meta_format.parse_error_body(body, resp, provider="kaleyra")
    if error is not None and error.code != "unknown":
        return error
    data = as_dict(body)
    inner = as_dict(data.get("error")) or data
    code, message = as_str(inner.get("code")), as_str(inner.get("message")) or as_str(inner.get("error"))
    if code is None and message is None:
        return None
    code = code or str(resp.status_code)
    category, retryable = provider_errors.classify("kaleyra", code)
    return ProviderError(code, "Kaleyra error", message, category=category, retryable=retryable, provider="kaleyra")


def _message_id(data: dict) -> str | None:
    """v2's answer is not documented in reach: accept Meta's shape and Kaleyra's usual id keys."""
    listed = dicts(data.get("data"))
    return (
        meta_format.message_id_from_response(data)
        or as_str(data.get("message_id"))
        or as_str(data.get("id"))
        or as_str(as_dict(data.get("data")).get("message_id"))
        or (as_str(listed[0].get("message_id")) if listed else None)
    )


def _maybe_json(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return load_json(value.encode())
        except MalformedWebhook:
            return value
    return value


def _v1_location(value) -> Location | None:
    """A JSON object ``{latitude, longitude, name, address}`` or plain ``"lat,long"``."""
    value = _maybe_json(value)
    if isinstance(value, dict):
        lat, lon = as_float(value.get("latitude")), as_float(value.get("longitude"))
        if lat is not None and lon is not None:
            return Location(lat, lon, as_str(value.get("name")), as_str(value.get("address")), as_str(value.get("url")))
        return None
    parts = (as_str(value) or "").split(",")
    if len(parts) == 2 and as_float(parts[0]) is not None and as_float(parts[1]) is not None:
        return Location(as_float(parts[0]), as_float(parts[1]))
    return None
