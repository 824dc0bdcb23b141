"""Accounts per provider and correctly signed webhook requests for the endpoint tests.

Each provider is signed exactly as it signs: Meta X-Hub-Signature-256 with the app secret, Twilio
X-Twilio-Signature over the URL and form with the auth token (RequestValidator), Sinch's HMAC
headers, Kaleyra's shared secret header and the sandbox's X-Parley-Signature.
"""

import json
import secrets
import time
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator

from app.db import get_db
from app.providers import sandbox
from app.providers.meta import meta_signature
from app.providers.registry import PROVIDERS
from app.providers.sinch import sinch_signature
from app.services.channel import accounts, provider_access
from app.services.setup import queue_admin
from tests.providers.support import CREDENTIALS, read_bytes, text_fixture
from tests.support.engine import messages_with, stored_message  # noqa: F401 - messages_with: for the tests
from tests.support.jobs import run_inbound

PNID = CREDENTIALS["meta"]["phone_number_id"]
BASE = "http://localhost"


def make_account(provider, *, queue=None, api_base=None, phone=None, **credential_overrides):
    """An account with the provider tests' credentials (secrets encrypted as the admin pages store them)."""
    values = {**CREDENTIALS[provider], **credential_overrides}
    fields = {f.name: f for f in PROVIDERS[provider].credential_fields}
    plain = {k: v for k, v in values.items() if k in fields and not fields[k].secret}
    secret_values = {k: v for k, v in values.items() if k in fields and fields[k].secret}
    if queue is None:
        queue = queue_admin.create_queue({"name": f"Queue {secrets.token_hex(4)}"})
    phone = phone or f"+1555{secrets.randbelow(10**7):07d}"
    return accounts.create_account(f"{provider} {secrets.token_hex(3)}", provider, phone,
                                   queue_id=queue["_id"], credentials=plain, secret_values=secret_values, api_base=api_base)


def path_of(account):
    return accounts.WEBHOOK_PATH + account["webhook_key"]


def secret_of(account, name):
    return provider_access.provider_config(account)["credentials"][name]


def signed(account, body, content_type="application/json"):
    """(headers, body) for POSTing ``body`` (bytes, or a dict to encode as JSON) to the account's webhook."""
    if isinstance(body, dict | list):
        body = json.dumps(body).encode()
    provider = account["provider"]
    headers = {"Content-Type": content_type}
    if provider == "meta":
        headers["X-Hub-Signature-256"] = meta_signature(body, secret_of(account, "app_secret"))
    elif provider == "sandbox":
        headers[sandbox.SIGNATURE_HEADER] = sandbox.sign(body, secret_of(account, "webhook_secret"))
    elif provider == "kaleyra":
        headers["X-Parley-Secret"] = secret_of(account, "webhook_secret")
    elif provider == "sinch":
        nonce, stamp = secrets.token_hex(8), str(int(time.time()))
        headers["x-sinch-webhook-signature"] = sinch_signature(body, nonce, stamp, secret_of(account, "webhook_secret"))
        headers["x-sinch-webhook-signature-nonce"] = nonce
        headers["x-sinch-webhook-signature-timestamp"] = stamp
    elif provider == "twilio":
        params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        validator = RequestValidator(secret_of(account, "auth_token"))
        headers["X-Twilio-Signature"] = validator.compute_signature(BASE + path_of(account), params)
    return headers, body


def fixture_body(rel):
    """(body, content type) of a webhook fixture: .txt files are Twilio form bodies."""
    if rel.endswith(".txt"):
        return text_fixture(rel)[2], "application/x-www-form-urlencoded"
    return read_bytes(rel), "application/json"


def deliver(client, account, body, headers):
    """POST a signed body to the account's webhook, then let the workers apply what it accepted;
    ``response.applied`` holds their outcomes (stored, duplicate, …)."""
    response = client.post(path_of(account), data=body, headers=headers)
    response.applied = run_inbound(client.application)
    return response


def outcomes(response):
    """What became of a delivered batch: the counts known at the answer (``malformed``) and the
    workers' outcomes (``stored``, ``duplicate``, ``foreign_channel``, …), as one dict."""
    answered = response.get_json()["counts"] if response.is_json else {}
    return {**{k: v for k, v in answered.items() if k != "accepted"}, **response.applied}


def post_fixture(client, account, rel):
    body, content_type = fixture_body(rel)
    headers, body = signed(account, body, content_type)
    return deliver(client, account, body, headers)


def post_events(client, account, *events):
    headers, body = signed(account, {"events": list(events)})
    return deliver(client, account, body, headers)


def stored_counts():
    """How much the webhook pipeline has written: nothing at all after a rejected request."""
    db = get_db()
    return {
        name: db[name].count_documents({})
        for name in ("interactions", "messages", "webhook_events", "pending_statuses", "contacts")
    }


def send_now(interaction_id, message_id):
    """Run the send job's work here and return the provider id. A worker thread (this test's live
    server, or one an earlier test left running) may take the queued job first: wait for it then."""
    from app.services.conversations import delivery
    from tests.media.support import wait_for

    delivery.deliver(str(interaction_id), message_id)

    def provider_id():
        return stored_message(interaction_id, message_id).get("provider_message_id")

    return wait_for(provider_id)
