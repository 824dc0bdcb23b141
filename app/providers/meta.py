"""Meta WhatsApp Cloud API adapter (graph.facebook.com): one app webhook can serve many numbers."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from . import meta_format
from ._parse import as_dict, as_str, dicts, load_json_object
from .base import CredentialField, Provider, WebhookRequest
from .errors import MalformedWebhook, ProviderError, WebhookRejected
from .events import MediaRef
from .http import call, json_object, missing_in_answer, read_capped
from .outbound import OutboundMessage, SendResult

#: Seconds the typing indicator waits for Meta's answer at most (it shows for 25 s, or until the reply).
TYPING_READ_TIMEOUT = 5.0


def meta_signature(body: bytes, app_secret: str) -> str:
    """``X-Hub-Signature-256`` value: HMAC-SHA256 of the raw body keyed with the App Secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class MetaProvider(Provider):
    name = "meta"
    label = "Meta WhatsApp Cloud API"
    default_api_base = "https://graph.facebook.com/v23.0"
    capabilities = frozenset(
        {
            "templates",
            "template_sync",
            "reactions",
            "quote_reply",
            "location",
            "media_upload",
            "mark_read",
            "start_conversation",
            "typing_indicator",
            "interactive",
            "user_id_recipient",  # a customer whose number WhatsApp withholds is answered by business-scoped user id
        }
    )
    outbound_kinds = frozenset(
        {"text", "image", "audio", "voice", "video", "document", "sticker", "location", "template", "reaction", "interactive"}
    )
    credential_fields = (
        CredentialField("phone_number_id", "Phone number ID"),
        CredentialField("waba_id", "WhatsApp Business Account ID"),
        CredentialField("access_token", "Access token (system user)", secret=True),
        CredentialField("app_secret", "App secret", secret=True, help="Signs every webhook (X-Hub-Signature-256)."),
        CredentialField("verify_token", "Webhook verify token", secret=True, generated=True),
    )

    # -- webhooks -----------------------------------------------------------------------
    def verify_handshake(self, req: WebhookRequest) -> str | None:
        """Meta's subscription GET: echo ``hub.challenge`` only for our verify token."""
        if req.method != "GET" or req.arg("hub.mode") is None:
            return None
        token = self.credentials.get("verify_token") or ""
        given = req.arg("hub.verify_token") or ""
        if req.arg("hub.mode") != "subscribe" or not token or not hmac.compare_digest(given.encode(), str(token).encode()):
            raise WebhookRejected(403, "verify token mismatch")
        return req.arg("hub.challenge") or ""

    def verify_request(self, req: WebhookRequest) -> None:
        header = req.header("x-hub-signature-256")
        if not header:
            raise WebhookRejected(401, "missing X-Hub-Signature-256")
        secret = self.credentials.get("app_secret")
        if not secret:
            raise WebhookRejected(403, "app secret not configured")
        if not hmac.compare_digest(header.strip().encode(), meta_signature(req.body, str(secret)).encode()):
            raise WebhookRejected(403, "signature mismatch")

    def parse_webhook(self, req: WebhookRequest) -> list:
        data = load_json_object(req.body)
        if "entry" not in data:
            raise MalformedWebhook("not a WhatsApp webhook: no 'entry'")
        events = []
        for entry in dicts(data.get("entry")):
            for change in dicts(entry.get("changes")):
                if change.get("field", "messages") == "messages":
                    events += meta_format.parse_value(as_dict(change.get("value")), self.name)
        return events

    # -- outbound -----------------------------------------------------------------------
    def _auth(self) -> dict:
        return {"Authorization": f"Bearer {self.credential('access_token')}"}

    def _call(self, method: str, url: str, timeout=None, **kwargs):
        kwargs.setdefault("headers", {}).update(self._auth())
        return call(
            self.session,
            method,
            url,
            provider=self.name,
            timeout=timeout or self.timeout,
            parse_error=meta_format.parse_error_body,
            **kwargs,
        )

    def _messages_url(self) -> str:
        return f"{self.api_base}/{self.credential('phone_number_id')}/messages"

    def _send(self, msg: OutboundMessage) -> SendResult:
        resp = self._call("POST", self._messages_url(), json=meta_format.build_message(msg))
        data = json_object(resp, self.name)
        message_id = meta_format.message_id_from_response(data)
        if not message_id:
            raise missing_in_answer(self.name, "Meta", "message id", data)
        return SendResult(message_id, data)

    def mark_read(self, provider_message_id: str, typing: bool = False) -> None:
        """Blue ticks for the customer; with ``typing`` also shows "typing…" for up to 25 s."""
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": provider_message_id}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        # "typing…" that comes late is of no use, and the call holds an outbound worker: it gives up sooner.
        timeout = (self.timeout[0], min(self.timeout[1], TYPING_READ_TIMEOUT)) if typing else self.timeout
        self._call("POST", self._messages_url(), json=body, timeout=timeout).close()

    def show_typing(self, provider_message_id: str) -> None:
        """Meta's typing indicator rides on the read receipt: it also marks the message read."""
        self.mark_read(provider_message_id, typing=True)

    def upload_media(self, data: bytes, mime_type: str, filename: str | None = None) -> str:
        resp = self._call(
            "POST",
            f"{self.api_base}/{self.credential('phone_number_id')}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename or "file", data, mime_type)},
        )
        media_id = as_str(json_object(resp, self.name).get("id"))
        if not media_id:
            raise missing_in_answer(self.name, "Meta", "media id")
        return media_id

    def download_media(self, media_ref: MediaRef) -> tuple[bytes, str | None]:
        """Two steps: the media id gives a short-lived URL (5 min), fetched with the same Bearer token."""
        url, mime = media_ref.url, media_ref.mime_type
        if media_ref.provider_media_id:
            resp = self._call(
                "GET",
                f"{self.api_base}/{media_ref.provider_media_id}",
                params={"phone_number_id": self.credential("phone_number_id")},
            )
            info = json_object(resp, self.name)
            url, mime = as_str(info.get("url")) or url, as_str(info.get("mime_type")) or mime
        if not url:
            raise ProviderError("no_media", "Nothing to download", None, category="media", provider=self.name)
        resp = self._call("GET", url, stream=True)
        return read_capped(resp, self.name), mime or resp.headers.get("Content-Type")

    def fetch_templates(self) -> list[dict]:
        """Approved templates of the WABA as plain dicts, following Graph paging to the end."""
        url = f"{self.api_base}/{self.credential('waba_id')}/message_templates"
        params: dict | None = {"limit": 100, "fields": "id,name,language,status,category,components,parameter_format"}
        templates, seen = [], set()
        while url and url not in seen:
            seen.add(url)
            data = json_object(self._call("GET", url, params=params), self.name)
            for item in dicts(data.get("data")):
                if item.get("status") == "APPROVED":
                    templates.append(
                        {
                            k: item.get(k)
                            for k in ("id", "name", "language", "status", "category", "components", "parameter_format")
                        }
                    )
            url, params = as_str(as_dict(data.get("paging")).get("next")), None  # next carries its own query
            if url and urlsplit(url).scheme not in ("http", "https"):
                url = None
        return templates
