"""Sends through the real adapters over loopback HTTP to the fake provider server.

Each request body must be exactly what the provider documents (the shared send fixtures);
failures must come back as ProviderError with the right category and retry advice. Retrying
is the caller's job (an RQ job), so here we only check ``retryable``/``retry_after``.
"""

from urllib.parse import parse_qsl

import pytest

from app.providers import (
    WINDOW_CLOSED_MESSAGE,
    OutboundMedia,
    OutboundMessage,
    OutboundReaction,
    ProviderError,
    TemplateSpec,
)
from tests.fakes.provider_server import FakeResponse

from .cases import SEND_CASES, TO
from .support import load, make, matches, text_fixture

META_PATH = "/v23.0/100000000000001/messages"
TWILIO_PATH = "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
SINCH_PATH = "/v1/projects/00000000-0000-0000-0000-000000000001/messages:send"
KALEYRA_PATH = "/v2/HXAP0000000000IN/whatsapp/+15550001000/messages"
META_OK = {"messaging_product": "whatsapp", "messages": [{"id": "wamid.OUT="}]}
PATHS = {"meta": META_PATH, "twilio": TWILIO_PATH, "sinch": SINCH_PATH, "kaleyra": KALEYRA_PATH}
SUCCESS = {"meta": META_OK, "twilio": {"sid": "SM1"}, "sinch": {"message_id": "01S"}, "kaleyra": META_OK}


def _adapter(name, fake, **kw):
    if name == "sinch":
        fake.sinch_oauth("key-id", "key-secret")
    return make(name, fake, **kw)


@pytest.mark.parametrize("rel", [r for r in SEND_CASES if r.startswith("meta/")])
def test_meta_send_bodies(rel, fake_provider):
    fake_provider.script("POST", META_PATH, FakeResponse(json=META_OK))
    assert make("meta", fake_provider).send(SEND_CASES[rel]).provider_message_id == "wamid.OUT="
    sent = fake_provider.requests[-1]
    assert sent.headers["authorization"] == "Bearer meta-token"
    assert sent.headers["content-type"] == "application/json"
    assert matches(sent.json, load(rel))


@pytest.mark.parametrize("rel", [r for r in SEND_CASES if r.startswith("twilio/")])
def test_twilio_send_bodies(rel, fake_provider):
    fake_provider.script("POST", TWILIO_PATH, FakeResponse(201, {"sid": "SM1", "status": "queued"}))
    assert make("twilio", fake_provider).send(SEND_CASES[rel]).provider_message_id == "SM1"
    sent = fake_provider.requests[-1]
    assert sent.headers["authorization"].startswith("Basic ")
    assert parse_qsl(sent.body.decode()) == parse_qsl(text_fixture(rel)[2].decode())


@pytest.mark.parametrize("rel", [r for r in SEND_CASES if r.startswith("sinch/")])
def test_sinch_send_bodies(rel, fake_provider):
    adapter = _adapter("sinch", fake_provider)
    fake_provider.script("POST", SINCH_PATH, FakeResponse(json={"message_id": "01S", "accepted_time": "2024-06-18T12:34:56Z"}))
    assert adapter.send(SEND_CASES[rel]).provider_message_id == "01S"
    assert fake_provider.requests[-1].json == load(rel)
    assert fake_provider.requests[-1].headers["authorization"] == "Bearer sinch-token-1"


def test_kaleyra_sends_v2_messaging_object(fake_provider):
    fake_provider.script("POST", KALEYRA_PATH, FakeResponse(json=META_OK))
    msg = OutboundMessage(TO, "text", text="Hello from the agent", client_ref="parley-42")
    assert make("kaleyra", fake_provider).send(msg).provider_message_id == "wamid.OUT="
    sent = fake_provider.requests[-1]
    assert sent.headers["api-key"] == "kaleyra-key"
    assert sent.json == {
        "messaging_object": load("kaleyra/v2_send_text.json")["messaging_object"],
        "extra_info": {"ref": "parley-42"},
    }


def test_kaleyra_quote_reply_and_reaction(fake_provider):
    adapter = make("kaleyra", fake_provider)
    fake_provider.script(
        "POST", KALEYRA_PATH, FakeResponse(json={"message_id": "k1"}), FakeResponse(json={"data": [{"message_id": "k2"}]})
    )
    assert adapter.send(OutboundMessage(TO, "text", text="yes", reply_to="wamid.Q=")).provider_message_id == "k1"
    assert fake_provider.requests[-1].json["messaging_object"]["context"] == {"message_id": "wamid.Q="}
    assert adapter.send(OutboundMessage(TO, "reaction", reaction=OutboundReaction("wamid.Q=", None))).provider_message_id == "k2"
    assert fake_provider.requests[-1].json["messaging_object"]["reaction"] == {"message_id": "wamid.Q=", "emoji": ""}


def test_meta_client_ref_and_voice(fake_provider):
    fake_provider.script("POST", META_PATH, FakeResponse(json=META_OK))
    msg = OutboundMessage(TO, "voice", media=OutboundMedia(media_id="m1", mime_type="audio/ogg"), client_ref="parley-7")
    make("meta", fake_provider).send(msg)
    assert fake_provider.requests[-1].json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "15550001111",
        "type": "audio",
        "audio": {"id": "m1"},
        "biz_opaque_callback_data": "parley-7",
    }


def test_sinch_token_is_cached_and_renewed_after_401(fake_provider):
    adapter = _adapter("sinch", fake_provider)
    fake_provider.script(
        "POST",
        SINCH_PATH,
        FakeResponse(json={"message_id": "a"}),
        FakeResponse(json={"message_id": "b"}),
        FakeResponse(401, {"error": {"code": 401, "message": "expired", "status": "UNAUTHENTICATED"}}),
        FakeResponse(json={"message_id": "c"}),
    )
    ids = [adapter.send(OutboundMessage(TO, "text", text=str(i))).provider_message_id for i in range(3)]
    assert ids == ["a", "b", "c"]
    token_calls = fake_provider.requests_to("/oauth2/token")
    assert len(token_calls) == 2  # once, then again after the 401
    assert token_calls[0].form == {"grant_type": ["client_credentials"]}


def test_sinch_bad_key_is_auth(fake_provider):
    adapter = make("sinch", fake_provider, credentials={**make("sinch").credentials, "key_secret": "wrong"})
    fake_provider.sinch_oauth("key-id", "key-secret")
    with pytest.raises(ProviderError) as err:
        adapter.send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.http_status, err.value.retryable) == ("auth", 401, False)


# -- failures -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["meta", "twilio", "sinch", "kaleyra"])
def test_429_is_retryable_with_retry_after(name, fake_provider):
    adapter = _adapter(name, fake_provider)
    fake_provider.script(
        "POST", PATHS[name], FakeResponse(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "7"})
    )
    with pytest.raises(ProviderError) as err:
        adapter.send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.retryable, err.value.retry_after, err.value.http_status) == (
        "rate_limited",
        True,
        7.0,
        429,
    )
    fake_provider.script("POST", PATHS[name], FakeResponse(json=SUCCESS[name]))
    assert adapter.send(OutboundMessage(TO, "text", text="x")).provider_message_id  # the caller's retry then succeeds


@pytest.mark.parametrize("name", ["meta", "twilio", "sinch", "kaleyra"])
def test_500_is_retryable_server_error(name, fake_provider):
    adapter = _adapter(name, fake_provider)
    fake_provider.script("POST", PATHS[name], FakeResponse(503, body=b"<html>down</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ProviderError) as err:
        adapter.send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.retryable, err.value.retry_after) == ("server", True, None)


@pytest.mark.parametrize("name", ["meta", "twilio", "sinch", "kaleyra"])
def test_read_timeout_is_retryable(name, fake_provider):
    adapter = _adapter(name, fake_provider, timeout=(2.0, 0.3))
    fake_provider.script("POST", PATHS[name], FakeResponse(json=SUCCESS[name], delay=1.0))
    with pytest.raises(ProviderError) as err:
        adapter.send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.retryable, err.value.code) == ("timeout", True, "timeout")


def test_connection_refused_is_retryable(fake_provider):
    adapter = make("meta", fake_provider)
    fake_provider.stop()
    with pytest.raises(ProviderError) as err:
        adapter.send(OutboundMessage(TO, "text", text="x"))
    assert err.value.retryable and err.value.code == "connection_error"


def test_meta_131047_is_window_closed(fake_provider):
    body = {
        "error": {
            "message": "(#131047) Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Message failed to send because more than 24 hours have passed",
            },
            "fbtrace_id": "x",
        }
    }
    fake_provider.script("POST", META_PATH, FakeResponse(400, body))
    with pytest.raises(ProviderError) as err:
        make("meta", fake_provider).send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.retryable, err.value.user_message) == ("window_closed", False, WINDOW_CLOSED_MESSAGE)


def test_meta_expired_token_is_auth(fake_provider):
    fake_provider.script("POST", META_PATH, FakeResponse(401, load("meta/response_error_expired_token_pywa.json")))
    with pytest.raises(ProviderError) as err:
        make("meta", fake_provider).send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.code, err.value.retryable) == ("auth", "190", False)


def test_twilio_errors(fake_provider):
    fake_provider.script(
        "POST",
        TWILIO_PATH,
        FakeResponse(400, {"code": 63016, "message": "outside window", "status": 400}),
        FakeResponse(401, {"code": 20003, "message": "Authenticate", "status": 401}),
        FakeResponse(400, {"code": 21211, "message": "Invalid 'To'", "status": 400}),
    )
    adapter = make("twilio", fake_provider)
    categories = []
    for _ in range(3):
        with pytest.raises(ProviderError) as err:
            adapter.send(OutboundMessage(TO, "text", text="x"))
        categories.append(err.value.category)
    assert categories == ["window_closed", "auth", "invalid_recipient"]


def test_unknown_provider_code_falls_back_to_http_status(fake_provider):
    fake_provider.script("POST", KALEYRA_PATH, FakeResponse(403, {"code": "E401", "message": "Invalid API key"}))
    with pytest.raises(ProviderError) as err:
        make("kaleyra", fake_provider).send(OutboundMessage(TO, "text", text="x"))
    assert (err.value.category, err.value.code, err.value.detail) == ("auth", "E401", "Invalid API key")


@pytest.mark.parametrize(
    ("name", "msg"),
    [
        ("twilio", OutboundMessage(TO, "reaction", reaction=OutboundReaction("m", "👍"))),
        ("sinch", OutboundMessage(TO, "reaction", reaction=OutboundReaction("m", "👍"))),
        ("twilio", OutboundMessage(TO, "template", template=TemplateSpec(name="no_content_sid"))),
        ("meta", OutboundMessage(TO, "carousel")),
    ],
)
def test_unsupported_sends_are_clear_bad_requests(name, msg, fake_provider):
    with pytest.raises(ProviderError) as err:
        make(name, fake_provider).send(msg)
    assert err.value.category == "bad_request" and not err.value.retryable
    assert fake_provider.requests == []  # refused before any network call


def test_capabilities():
    assert make("meta").supports("quote_reply") and make("meta").supports("reaction")
    assert not make("twilio").supports("reactions") and make("twilio").supports("templates")
    assert make("sandbox").supports("start_conversation") and not make("sinch").supports("start_conversation")


# -- Meta extras ------------------------------------------------------------------------------------
def test_meta_mark_read(fake_provider):
    fake_provider.script("POST", META_PATH, FakeResponse(json={"success": True}))
    make("meta", fake_provider).mark_read("wamid.IN=")
    assert fake_provider.requests[-1].json == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN="}


def test_meta_fetch_templates_follows_paging(fake_provider):
    templates = [
        {
            "id": str(i),
            "name": f"t{i}",
            "language": "en",
            "category": "UTILITY",
            "components": [],
            "status": "REJECTED" if i % 3 == 1 else "APPROVED",
        }
        for i in range(5)
    ]
    fake_provider.meta_templates("100000000000002", templates, token="meta-token", page_size=2)
    got = make("meta", fake_provider).fetch_templates()
    assert [t["name"] for t in got] == ["t0", "t2", "t3"]
    assert len(fake_provider.requests) == 3 and got[0]["status"] == "APPROVED"
