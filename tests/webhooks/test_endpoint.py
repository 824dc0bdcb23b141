"""/webhooks/whatsapp/<key>: every shared webhook fixture accepted end to end with a valid signature,
and every way of getting it wrong answered with its own 4xx, storing nothing."""

import json

import pytest

from app.db import get_db
from app.providers.registry import PROVIDERS
from app.services.conversations import message_store
from tests.providers.expectations import INBOUND
from tests.providers.support import read_bytes, text_fixture
from tests.support.engine import stored_messages
from tests.support.jobs import run_inbound

from .support import (
    PNID,
    deliver,
    fixture_body,
    make_account,
    messages_with,
    outcomes,
    path_of,
    post_fixture,
    signed,
    stored_counts,
)

WEBHOOK_FIXTURES = sorted(INBOUND)


@pytest.fixture
def accounts_by_provider(app):
    return {name: make_account(name) for name in PROVIDERS}


def test_the_fixture_list_covers_every_provider():
    assert {rel.split("/")[0] for rel in WEBHOOK_FIXTURES} == {"meta", "twilio", "kaleyra", "sinch"}


@pytest.mark.parametrize("rel", WEBHOOK_FIXTURES)
def test_every_webhook_fixture_is_accepted_and_stored(client, accounts_by_provider, rel):
    account = accounts_by_provider[rel.split("/")[0]]
    response = post_fixture(client, account, rel)
    assert response.status_code == 200, response.get_data(as_text=True)
    if account["provider"] == "twilio":
        assert response.mimetype == "text/xml" and b"<Response/>" in response.data
    else:
        assert response.get_json()["ok"] is True
    counts = outcomes(response)
    for expected in INBOUND[rel]:
        provider_id = expected.get("provider_message_id")
        if expected["event_type"] == "status":
            pending = get_db().pending_statuses.find_one({"provider_message_id": provider_id})
            assert pending is not None or messages_with(provider_id), f"status of {provider_id} not kept"
        elif expected.get("kind") == "reaction":
            assert counts.get("orphan_reaction") or counts.get("reaction")
        else:
            assert messages_with(provider_id), f"message {provider_id} not stored"


def test_a_twilio_signature_over_the_public_url_is_accepted(app, client):
    """Behind a proxy Twilio signs the public URL, which only PARLEY_PUBLIC_URL knows."""
    app.config["PARLEY_PUBLIC_URL"] = "https://parley.example.com"
    account = make_account("twilio")
    body, _ = fixture_body("twilio/inbound_text.txt")
    from urllib.parse import parse_qsl

    from twilio.request_validator import RequestValidator

    signature = RequestValidator("twilio-token").compute_signature(
        "https://parley.example.com" + path_of(account), dict(parse_qsl(body.decode()))
    )
    response = client.post(
        path_of(account),
        data=body,
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    run_inbound(app)
    assert messages_with("SM00000000000000000000000000000001")


def test_kaleyra_get_callbacks_are_accepted_with_the_secret_in_the_url(client):
    account = make_account("kaleyra")
    url = text_fixture("kaleyra/v1_incoming_callback_profile_get_template.txt")[2].decode()
    query = url.partition("?")[2]
    for placeholder, value in {
        "<from>": "15550001111",
        "<body>": "Hi",
        "<name>": "John",
        "<type>": "text",
        "<wanumber>": "15550001000",
        "<created_at>": "2024-06-15T14:25:10Z",
    }.items():
        query = query.replace(placeholder, value)
    query = query.replace("<", "").replace(">", "")
    response = client.get(f"{path_of(account)}?{query}&secret=kaleyra-secret")
    assert response.status_code == 200, response.get_data(as_text=True)
    run_inbound(client.application)
    doc = get_db().interactions.find_one({"account_id": account["_id"]})
    assert stored_messages(doc["_id"])[0]["text"] == "Hi"


# -- Meta's subscription handshake ------------------------------------------------------------------
def test_meta_handshake_echoes_the_challenge_as_plain_text(client, accounts_by_provider):
    account = accounts_by_provider["meta"]
    response = client.get(
        path_of(account),
        query_string={"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.get_data(as_text=True) == "1158201444"


def test_meta_handshake_with_a_wrong_token_is_refused(client, accounts_by_provider):
    response = client.get(
        path_of(accounts_by_provider["meta"]),
        query_string={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert response.status_code == 403
    assert "verify token" in response.get_json()["error"]["message"]


# -- rejections: each its 4xx, nothing stored ---------------------------------------------------------
def _meta_text():
    return read_bytes("meta/inbound_text.json")


def _post(client, account, body, headers):
    return deliver(client, account, body, headers)


def rejections():
    def forged(account):
        headers, body = signed(account, _meta_text())
        return {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}, body

    def missing(account):
        headers, body = signed(account, _meta_text())
        headers.pop("X-Hub-Signature-256")
        return headers, body

    def tampered(account):
        headers, body = signed(account, _meta_text())
        return headers, body.replace(b"another color", b"a free sample")

    def truncated(account):
        return signed(account, _meta_text()[:-40])

    def not_whatsapp(account):
        return signed(account, {"object": "page", "hello": "world"})

    def garbage_5mb(account):
        return signed(account, b"\x00garbage" * (5 * 1024 * 1024 // 8))

    def wrong_type(account):
        return signed(account, _meta_text(), content_type="text/plain")

    def form_instead_of_json(account):
        return signed(account, b"a=1&b=2", content_type="application/x-www-form-urlencoded")

    return {
        "forged signature": (forged, 403),
        "missing signature": (missing, 401),
        "body changed after signing": (tampered, 403),
        "truncated JSON": (truncated, 400),
        "JSON that is not a WhatsApp webhook": (not_whatsapp, 400),
        "5 MB garbage": (garbage_5mb, 413),
        "wrong content type": (wrong_type, 415),
        "form body": (form_instead_of_json, 415),
    }


@pytest.mark.parametrize("case", list(rejections()))
def test_bad_meta_requests_get_their_4xx_and_store_nothing(client, accounts_by_provider, case):
    build, status = rejections()[case]
    account = accounts_by_provider["meta"]
    before = stored_counts()
    headers, body = build(account)
    response = _post(client, account, body, headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["message"], "every refusal says why"
    assert stored_counts() == before


def test_unknown_webhook_key_is_404(client, app):
    response = client.post("/webhooks/whatsapp/no-such-key", data=_meta_text(), headers={"Content-Type": "application/json"})
    assert response.status_code == 404
    assert stored_counts()["interactions"] == 0


@pytest.mark.parametrize("provider", ["twilio", "sinch", "kaleyra", "sandbox"])
def test_forged_and_unsigned_requests_of_other_providers_are_refused(client, accounts_by_provider, provider):
    account = accounts_by_provider[provider]
    rel = {
        "twilio": "twilio/inbound_text.txt",
        "sinch": "sinch/inbound_text.json",
        "kaleyra": "kaleyra/legacy_incoming_text_onprem_format.json",
        "sandbox": None,
    }[provider]
    if rel:
        body, content_type = fixture_body(rel)
    else:
        body = json.dumps({"type": "message", "id": "x1", "from": "+15550001111", "text": "hi"}).encode()
        content_type = "application/json"
    headers, body = signed(account, body, content_type)
    before = stored_counts()
    unsigned = {"Content-Type": content_type}
    assert _post(client, account, body, unsigned).status_code == 401
    forged = {k: ("sha256=" + "1" * 64 if k != "Content-Type" else v) for k, v in headers.items()}
    assert _post(client, account, body, forged).status_code in (401, 403)
    assert stored_counts() == before


def test_a_stale_sinch_signature_is_refused(client, accounts_by_provider):
    """A replayed Sinch callback carries its old timestamp: refused even with a correct HMAC."""
    from app.providers.sinch import sinch_signature

    account = accounts_by_provider["sinch"]
    body = read_bytes("sinch/inbound_text.json")
    stamp = "1000000000"
    headers = {
        "Content-Type": "application/json",
        "x-sinch-webhook-signature-nonce": "n",
        "x-sinch-webhook-signature-timestamp": stamp,
        "x-sinch-webhook-signature": sinch_signature(body, "n", stamp, "foo_secret1234"),
    }
    assert _post(client, account, body, headers).status_code == 403


# -- one Meta app, many numbers -------------------------------------------------------------------
def test_meta_events_follow_their_phone_number_id(client):
    """The app's single callback URL belongs to one account; events for the app's other numbers go to theirs."""
    first = make_account("meta")
    second = make_account("meta", phone_number_id="100000000000009")
    payload = json.loads(_meta_text())
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "100000000000009"
    headers, body = signed(first, payload)
    assert _post(client, first, body, headers).status_code == 200
    [message] = message_store.with_provider_id("wamid.FAKE000000000000000000000001=")
    assert message["account_id"] == second["_id"]
    assert first["credentials"]["phone_number_id"] == PNID


def test_meta_events_for_a_number_of_another_app_are_dropped(client):
    first = make_account("meta")
    make_account("meta", phone_number_id="100000000000009", app_secret="another-apps-secret")
    payload = json.loads(_meta_text())
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "100000000000009"
    headers, body = signed(first, payload)
    response = _post(client, first, body, headers)
    assert response.status_code == 200
    assert response.get_json()["counts"] == {"accepted": 1} and outcomes(response) == {"foreign_channel": 1}
    assert get_db().interactions.count_documents({}) == 0


def test_a_sinch_request_sent_again_with_its_nonce_is_refused(client):
    from tests.webhooks.support import fixture_body, make_account, path_of, signed

    account = make_account("sinch")
    headers, body = signed(account, *fixture_body("sinch/inbound_text.json"))
    first = client.post(path_of(account), data=body, headers=headers)
    assert first.status_code == 200
    again = client.post(path_of(account), data=body, headers=headers)
    assert again.status_code == 403 and "nonce" in again.get_json()["error"]["message"]
