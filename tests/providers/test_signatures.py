"""Webhook authentication per provider: valid, missing (401) and forged (403) requests, handshakes, replay windows."""

import json
import time

import pytest
from twilio.request_validator import RequestValidator

from app.providers import WebhookRejected, WebhookRequest
from app.providers.meta import meta_signature
from app.providers.sandbox import SIGNATURE_HEADER, build_inbound, build_status, sign
from app.providers.sinch import sinch_signature

from .support import form_request, json_request, load, make, read_bytes, text_fixture

META_BODY = read_bytes("meta/inbound_text.json")
SECRET = "fake_app_secret_0123456789abcdef"


def _rejected(adapter, req) -> int:
    with pytest.raises(WebhookRejected) as err:
        adapter.verify_request(req)
    return err.value.status


# -- Meta ----------------------------------------------------------------------------------------
def test_meta_signature_over_raw_bytes():
    adapter = make("meta")
    adapter.verify_request(json_request(META_BODY, **{"X-Hub-Signature-256": meta_signature(META_BODY, SECRET)}))
    reserialised = json.dumps(json.loads(META_BODY)).encode()  # same JSON, other bytes
    assert _rejected(adapter, json_request(reserialised, **{"X-Hub-Signature-256": meta_signature(META_BODY, SECRET)})) == 403


def test_meta_missing_forged_and_unconfigured():
    adapter = make("meta")
    assert _rejected(adapter, json_request(META_BODY)) == 401
    assert _rejected(adapter, json_request(META_BODY, **{"X-Hub-Signature-256": meta_signature(META_BODY, "other")})) == 403
    assert _rejected(adapter, json_request(META_BODY, **{"X-Hub-Signature-256": "sha1=abc"})) == 403
    no_secret = make("meta", credentials={"verify_token": "t"})
    assert _rejected(no_secret, json_request(META_BODY, **{"X-Hub-Signature-256": meta_signature(META_BODY, "")})) == 403


def test_meta_handshake():
    url = text_fixture("meta/verify_get_request.txt")[0].split(" ")[1]
    adapter = make("meta")
    assert adapter.verify_handshake(WebhookRequest.from_http("GET", url)) == "1158201444"
    with pytest.raises(WebhookRejected) as err:
        adapter.verify_handshake(WebhookRequest.from_http("GET", url.replace("meatyhamhock", "guess")))
    assert err.value.status == 403
    with pytest.raises(WebhookRejected):
        adapter.verify_handshake(WebhookRequest.from_http("GET", url.replace("mode=subscribe", "mode=unsubscribe")))
    with pytest.raises(WebhookRejected):  # no verify token configured: nobody may subscribe
        make("meta", credentials={}).verify_handshake(WebhookRequest.from_http("GET", url))
    assert adapter.verify_handshake(WebhookRequest.from_http("GET", "https://p.example/hook")) is None
    assert make("twilio").verify_handshake(WebhookRequest.from_http("GET", url)) is None


# -- Twilio --------------------------------------------------------------------------------------
def _twilio_request(url: str, token: str = "twilio-token", body: bytes | None = None) -> WebhookRequest:
    body = body if body is not None else text_fixture("twilio/inbound_text.txt")[2]
    req = form_request(body, url=url)
    req.headers["x-twilio-signature"] = RequestValidator(token).compute_signature(url, {k: v[0] for k, v in req.form.items()})
    return req


def test_twilio_signature_uses_the_account_webhook_url():
    adapter = make("twilio", webhook_url="https://public.example/webhooks/whatsapp/abc")
    # behind a proxy the app sees another URL; the configured public one is what Twilio signed
    req = _twilio_request("https://public.example/webhooks/whatsapp/abc")
    req.url = "http://10.0.0.5:8000/webhooks/whatsapp/abc"
    adapter.verify_request(req)
    assert _rejected(adapter, _twilio_request("https://public.example/webhooks/whatsapp/abc", token="other")) == 403


def test_twilio_missing_and_tampered():
    adapter = make("twilio", webhook_url="https://public.example/hook")
    req = _twilio_request("https://public.example/hook")
    req.form["Body"] = ["tampered"]
    assert _rejected(adapter, req) == 403
    del req.headers["x-twilio-signature"]
    assert _rejected(adapter, req) == 401


# -- Sinch ---------------------------------------------------------------------------------------
def _sinch_request(body: bytes, timestamp: str, secret: str = "foo_secret1234", nonce: str = "n1") -> WebhookRequest:
    return json_request(
        body,
        **{
            "x-sinch-webhook-signature": sinch_signature(body, nonce, timestamp, secret),
            "x-sinch-webhook-signature-nonce": nonce,
            "x-sinch-webhook-signature-timestamp": timestamp,
            "x-sinch-webhook-signature-algorithm": "HmacSHA256",
        },
    )


def test_sinch_signature_fresh_forged_missing():
    body = read_bytes("sinch/inbound_text.json")
    adapter = make("sinch")
    adapter.verify_request(_sinch_request(body, str(int(time.time()))))
    assert _rejected(adapter, _sinch_request(body, str(int(time.time())), secret="other")) == 403
    assert _rejected(adapter, json_request(body)) == 401


@pytest.mark.parametrize("offset", [-601, 601, -100000])
def test_sinch_stale_or_future_timestamp(offset):
    body = read_bytes("sinch/inbound_text.json")
    assert _rejected(make("sinch"), _sinch_request(body, str(int(time.time()) + offset))) == 403


def test_sinch_vector_is_stale_now():
    v = load("sinch/signature_x_sinch_webhook_signature_vector.json")
    assert (
        _rejected(
            make("sinch", credentials={"webhook_secret": v["secret"]}), json_request(v["raw_body"].encode(), **v["headers"])
        )
        == 403
    )


# -- Kaleyra -------------------------------------------------------------------------------------
def test_kaleyra_shared_secret_header_or_query():
    body = read_bytes("kaleyra/v2_status_sent.json")
    adapter = make("kaleyra")
    adapter.verify_request(json_request(body, **{"X-Parley-Secret": "kaleyra-secret"}))
    adapter.verify_request(json_request(body, url="https://p.example/hook?secret=kaleyra-secret"))
    assert _rejected(adapter, json_request(body, **{"X-Parley-Secret": "guess"})) == 403
    assert _rejected(adapter, json_request(body, url="https://p.example/hook?secret=guess")) == 403
    assert _rejected(adapter, json_request(body)) == 401
    assert _rejected(make("kaleyra", credentials={}), json_request(body, **{"X-Parley-Secret": ""})) == 401


def test_kaleyra_secret_is_not_read_as_callback_data():
    req = WebhookRequest.from_http("GET", "https://p.example/k?secret=kaleyra-secret&from=15550001111&type=text&body=Hi")
    make("kaleyra").verify_request(req)
    assert make("kaleyra").parse_webhook(req)[0].raw == {"from": "15550001111", "type": "text", "body": "Hi"}


# -- Sandbox -------------------------------------------------------------------------------------
def test_sandbox_round_trip():
    body = json.dumps(
        {"events": [build_inbound("+15550001111", text="hello", name="Ann", message_id="sim-1"), build_status("sbx.1", "read")]}
    ).encode()
    adapter = make("sandbox")
    adapter.verify_request(json_request(body, **{SIGNATURE_HEADER: sign(body, "sandbox-secret")}))
    message, status = adapter.parse_webhook(json_request(body))
    assert (message.kind, message.text, message.profile_name, message.provider_message_id) == ("text", "hello", "Ann", "sim-1")
    assert (status.provider_message_id, status.status) == ("sbx.1", "read")
    assert _rejected(adapter, json_request(body, **{SIGNATURE_HEADER: sign(body, "other")})) == 403
    assert _rejected(adapter, json_request(body)) == 401
