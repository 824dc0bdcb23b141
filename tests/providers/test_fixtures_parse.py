"""Every file in the shared provider fixtures, checked against what the adapters make of it.

Webhook bodies must parse into the expected events; send bodies must equal what the adapter
builds; responses must come out as SendResult/ProviderError through a real loopback server;
signature vectors must verify. A new fixture without an expectation fails the run.
"""

import copy
import dataclasses
import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.providers import (
    MalformedWebhook,
    MediaRef,
    OutboundMessage,
    ProviderError,
    TemplateButton,
    TemplateSpec,
    WebhookRequest,
    meta_format,
)
from app.providers.meta import meta_signature
from app.providers.sinch import sinch_signature
from tests.fakes.provider_server import FakeResponse

from .cases import KALEYRA_TEXT, SEND_CASES, TO
from .error_cases import SEND_ERRORS
from .expectations import CHANGES, INBOUND, SINCH_FRAGMENTS, SINCH_RELABELLED
from .support import (
    assert_events,
    fixture_files,
    form_request,
    json_request,
    load,
    make,
    matches,
    read_bytes,
    text_fixture,
)


def _parse(rel: str, data: bytes | None = None):
    provider = rel.split("/")[0]
    adapter = make(provider)
    if rel.endswith(".txt"):
        _line, headers, body = text_fixture(rel)
        return adapter.parse_webhook(form_request(body, **headers))
    return adapter.parse_webhook(json_request(data if data is not None else read_bytes(rel)))


def check_inbound(rel, fake):
    assert_events(_parse(rel), INBOUND[rel])


def check_send_body(rel, fake):
    msg, provider = SEND_CASES[rel], rel.split("/")[0]
    if provider == "twilio":
        assert make(provider).build_form(msg) == parse_qsl(text_fixture(rel)[2].decode(), keep_blank_values=True)
    elif provider == "sinch":
        assert make(provider).build_body(msg) == load(rel)
    else:  # Meta's own examples omit recipient_type/type in places; ours always carry them
        built = meta_format.build_message(msg)
        assert matches(built, load(rel)), built
        assert set(built) - set(load(rel)) <= {"recipient_type", "type"}


def check_sinch_relabelled(rel, fake):
    data = load(rel)
    assert _parse(rel) == [], "non-WhatsApp callbacks are ignored"
    relabelled = copy.deepcopy(data)
    for key in ("message", "event", "message_delivery_report"):
        if key in relabelled:
            relabelled[key]["channel_identity"] = {"channel": "WHATSAPP", "identity": "15550001111"}
    assert_events(_parse(rel, json.dumps(relabelled).encode()), SINCH_RELABELLED[rel])


def check_sinch_fragment(rel, fake):
    envelope = {
        "app_id": "app",
        "message": {
            "id": "m1",
            "direction": "TO_APP",
            "contact_message": load(rel),
            "channel_identity": {"channel": "WHATSAPP", "identity": "15550001111"},
        },
    }
    expected = {"event_type": "message", "provider_message_id": "m1", "sender": "+15550001111", **SINCH_FRAGMENTS[rel]}
    assert_events(_parse(rel, json.dumps(envelope).encode()), [expected])


# -- responses through the fake server ------------------------------------------------------------
def check_change(rel, fake):
    assert_events(_parse(rel), CHANGES[rel])


def check_send_error(rel, fake):
    provider, status, code, category, retryable = SEND_ERRORS[rel]
    path = {
        "meta": "/v23.0/100000000000001/messages",
        "twilio": "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json",
        "kaleyra": "/v2/HXAP0000000000IN/whatsapp/+15550001000/messages",
    }[provider]
    fake.script("POST", path, FakeResponse(status, load(rel)))
    with pytest.raises(ProviderError) as err:
        make(provider, fake).send(OutboundMessage(TO, "text", text="hi"))
    assert (err.value.code, err.value.category, err.value.http_status) == (code, category, status)
    assert err.value.retryable is retryable or status == 429  # a 429 is retryable whatever the body


def check_meta_error_response(rel, fake):
    status, code, category = {
        "meta/response_error_expired_token_pywa.json": (401, "190", "auth"),
        "meta/response_error_graph_schema_example.json": (400, "100", "bad_request"),
    }[rel]
    fake.script("POST", "/v23.0/100000000000001/messages", FakeResponse(status, load(rel)))
    with pytest.raises(ProviderError) as err:
        make("meta", fake).send(OutboundMessage(TO, "text", text="hi"))
    assert (err.value.code, err.value.category, err.value.http_status, err.value.retryable) == (code, category, status, False)


def check_meta_send_response(rel, fake):
    fake.script("POST", "/v23.0/100000000000001/messages", FakeResponse(json=load(rel)))
    result = make("meta", fake).send(OutboundMessage(TO, "text", text="hi"))
    assert result.provider_message_id == "wamid.FAKE_OUTBOUND_MESSAGE_ID=" and result.raw == load(rel)


def check_meta_mark_read(rel, fake):
    response = load("meta/response_mark_read_success.json")
    fake.script("POST", "/v23.0/100000000000001/messages", FakeResponse(json=response))
    make("meta", fake).mark_read("wamid.FAKE_INBOUND_MESSAGE_ID=", typing=True)
    assert fake.requests[-1].json == load("meta/send_mark_read_typing_indicator.json")


def check_meta_media_url(rel, fake):
    info = load(rel)
    info["url"] = info["url"].replace("https://lookaside.fbsbx.com", fake.url)
    fake.script("GET", "/v23.0/900000000000001", FakeResponse(json=info))
    fake.script("GET", "/whatsapp_business/attachments/", FakeResponse(body=b"JPEGDATA", headers={"Content-Type": "image/jpeg"}))
    data, mime = make("meta", fake).download_media(MediaRef(provider_media_id="900000000000001"))
    assert (data, mime) == (b"JPEGDATA", "image/jpeg")
    assert fake.requests[-1].headers["authorization"] == "Bearer meta-token"  # the URL needs the token too


def check_meta_upload(rel, fake):
    fake.script("POST", "/v23.0/100000000000001/media", FakeResponse(json=load(rel)))
    assert make("meta", fake).upload_media(b"\x89PNG", "image/png", "a.png") == "900000000000001"


def check_twilio_send_response(rel, fake):
    path = "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    fake.script("POST", path, FakeResponse(201, load(rel)))
    assert (
        make("twilio", fake).send(OutboundMessage(TO, "text", text="Hello")).provider_message_id
        == "SM00000000000000000000000000000010"
    )


def check_sinch_send_response(rel, fake):
    fake.sinch_oauth("key-id", "key-secret")
    fake.script("POST", "/v1/projects/00000000-0000-0000-0000-000000000001/messages:send", FakeResponse(json=load(rel)))
    assert make("sinch", fake).send(OutboundMessage(TO, "text", text="hi")).provider_message_id == "message id"


def check_sinch_readme(rel, fake):
    endpoint = next(line for line in read_bytes(rel).decode().splitlines() if line.startswith("# POST "))
    template = urlsplit(endpoint.split(" ")[2]).path  # /v1/projects/{PROJECT_ID}/messages:send
    fake.sinch_oauth("key-id", "key-secret")
    check_sinch_send_response("sinch/response_send_message.json", fake)
    assert fake.requests[-1].path == template.replace("{PROJECT_ID}", "00000000-0000-0000-0000-000000000001")
    assert fake.requests[-1].headers["authorization"] == "Bearer sinch-token-1"


# -- signatures and handshakes --------------------------------------------------------------------
def check_meta_signature(rel, fake):
    vector = load(rel)
    body = vector["raw_body"].encode()
    assert meta_signature(body, vector["app_secret"]) == vector["header_value"]
    make("meta", credentials={"app_secret": vector["app_secret"]}).verify_request(
        json_request(body, **{vector["header_name"]: vector["header_value"]})
    )


def check_meta_handshake(rel, fake):
    line, _headers, _body = text_fixture(rel)
    url = line.split(" ")[1]
    req = WebhookRequest.from_http("GET", url)
    assert make("meta").verify_handshake(req) == "1158201444"


def check_twilio_signature(rel, fake):
    v = load(rel)
    adapter = make("twilio", credentials={"auth_token": v["auth_token"]}, webhook_url=v["url"])
    adapter.verify_request(
        WebhookRequest("POST", v["url"], form=v["params"], headers={"X-Twilio-Signature": v["expected_X-Twilio-Signature"]})
    )
    with_port = v["url"].replace("mycompany.com", "mycompany.com:443")
    adapter.verify_request(
        WebhookRequest("POST", with_port, form=v["params"], headers={"X-Twilio-Signature": v["same_request_but_url_with_:443"]})
    )
    j = v["json_body_variant"]
    json_adapter = make("twilio", credentials={"auth_token": v["auth_token"]}, webhook_url=None)
    json_adapter.verify_request(
        json_request(j["body"].encode(), url=j["url"], **{"X-Twilio-Signature": j["expected_X-Twilio-Signature"]})
    )


def check_sinch_signature(rel, fake):
    v = load(rel)
    h = v["headers"]
    body = v["raw_body"].encode()
    assert (
        sinch_signature(body, h["x-sinch-webhook-signature-nonce"], h["x-sinch-webhook-signature-timestamp"], v["secret"])
        == h["x-sinch-webhook-signature"]
    )
    at_send_time = make(
        "sinch", credentials={"webhook_secret": v["secret"]}, clock=lambda: float(h["x-sinch-webhook-signature-timestamp"]) + 5
    )
    at_send_time.verify_request(json_request(body, **h))
    assert at_send_time.parse_webhook(json_request(body)) == []  # contact_create_notification: no conversation event


# -- Kaleyra ----------------------------------------------------------------------------------------
def _fill(text: str) -> str:
    values = {
        "<from>": "15550001111",
        "<mobile>": "15550001111",
        "<wanumber>": "15550001000",
        "<type>": "text",
        "<body>": "Hi",
        "<name>": "John",
        "<created_at>": "2024-06-15T14:25:10Z",
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text.replace("<", "").replace(">", "")  # other fields: any harmless value


V1_EXPECTED = [
    {
        "event_type": "message",
        "provider": "kaleyra",
        "sender": "+15550001111",
        "recipient": "+15550001000",
        "kind": "text",
        "text": "Hi",
        "profile_name": "John",
    }
]


def check_kaleyra_v1_get(rel, fake):
    url = text_fixture(rel)[2].decode()
    with pytest.raises(MalformedWebhook):  # the template as documented: placeholders, no phone number
        make("kaleyra").parse_webhook(WebhookRequest.from_http("GET", url))
    filled = WebhookRequest.from_http("GET", _fill(url).replace(" ", "%20"))
    assert_events(make("kaleyra").parse_webhook(filled), V1_EXPECTED)


def check_kaleyra_v1_post(rel, fake):
    with pytest.raises(MalformedWebhook):
        make("kaleyra").parse_webhook(json_request(read_bytes(rel)))
    assert_events(make("kaleyra").parse_webhook(json_request(_fill(read_bytes(rel).decode()).encode())), V1_EXPECTED)


def check_kaleyra_v1_sample(rel, fake):
    listing = [line.split("#")[0].strip() for line in read_bytes(rel).decode().splitlines() if line and not line.startswith("#")]
    pairs = dict(item.split(" ", 1) for item in listing)
    pairs["from"] = pairs["from"].replace("X", "1")
    events = make("kaleyra").parse_webhook(WebhookRequest("GET", "https://p.example/k", args=pairs))
    assert_events(events, [{"kind": "text", "text": "Hi", "profile_name": "John", "sender": "+15550001111"}])


def check_kaleyra_quality(rel, fake):
    url = text_fixture(rel)[2].decode()
    assert make("kaleyra").parse_webhook(WebhookRequest.from_http("GET", url)) == []


def check_kaleyra_v1_send(rel, fake):
    """Parley sends through v2; the v1 form's content must map to the same v2 message."""
    form = dict(parse_qsl(text_fixture(rel)[2].decode()))
    adapter = make("kaleyra")
    if form["type"] == "text":
        body = adapter.build_body(OutboundMessage("+" + form["to"], "text", text=form["body"]))["messaging_object"]
        assert (body["to"], body["text"]["body"]) == (form["to"], form["body"])
    else:
        spec = TemplateSpec(name=form["template_name"], language=form["lang_code"], body_params=form["params"].split(","))
        body = adapter.build_body(OutboundMessage(form["to"], "template", template=spec))["messaging_object"]
        assert body["to"] == form["to"].lstrip("+") and body["template"]["name"] == form["template_name"]
        assert [p["text"] for p in body["template"]["components"][0]["parameters"]] == form["params"].split(",")


def check_kaleyra_v2_send(rel, fake):
    fixture = load(rel)
    adapter = make("kaleyra")
    if "text" in rel:
        body = adapter.build_body(dataclasses.replace(KALEYRA_TEXT, client_ref="ref-1"))
        assert body["messaging_object"] == fixture["messaging_object"]
    else:  # a skeleton of placeholders: compare the shape
        spec = TemplateSpec(name="otp", language="en", body_params=["123456"], buttons=[TemplateButton("url", 0, text="123456")])
        body = adapter.build_body(OutboundMessage(TO, "template", template=spec, client_ref="ref-1"))
        assert _shape(body["messaging_object"]) == _shape(fixture["messaging_object"])
    assert set(body["extra_info"]) <= set(fixture["extra_info"])


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


SPECIAL = {
    "meta/response_error_expired_token_pywa.json": check_meta_error_response,
    "meta/response_error_graph_schema_example.json": check_meta_error_response,
    "meta/response_send_success.json": check_meta_send_response,
    "meta/response_mark_read_success.json": check_meta_mark_read,
    "meta/send_mark_read_typing_indicator.json": check_meta_mark_read,
    "meta/response_media_retrieve_url.json": check_meta_media_url,
    "meta/response_media_upload.json": check_meta_upload,
    "meta/signature_x_hub_signature_256_vector.json": check_meta_signature,
    "meta/verify_get_request.txt": check_meta_handshake,
    "twilio/response_message_created.json": check_twilio_send_response,
    "twilio/signature_x_twilio_signature_vector.json": check_twilio_signature,
    "sinch/response_send_message.json": check_sinch_send_response,
    "sinch/send_README.txt": check_sinch_readme,
    "sinch/signature_x_sinch_webhook_signature_vector.json": check_sinch_signature,
    "kaleyra/v1_incoming_callback_profile_get_template.txt": check_kaleyra_v1_get,
    "kaleyra/v1_incoming_callback_profile_post_template.json": check_kaleyra_v1_post,
    "kaleyra/v1_incoming_text_sample_partial.txt": check_kaleyra_v1_sample,
    "kaleyra/quality_limit_update_get.txt": check_kaleyra_quality,
    "kaleyra/v1_send_text_form.txt": check_kaleyra_v1_send,
    "kaleyra/v1_send_template_form.txt": check_kaleyra_v1_send,
    "kaleyra/v2_send_text.json": check_kaleyra_v2_send,
    "kaleyra/v2_send_template_skeleton.json": check_kaleyra_v2_send,
}
for _rel in INBOUND:
    SPECIAL[_rel] = check_inbound
for _rel in SEND_ERRORS:
    SPECIAL[_rel] = check_send_error
for _rel in CHANGES:
    SPECIAL[_rel] = check_change
for _rel in SEND_CASES:
    SPECIAL[_rel] = check_send_body
for _rel in SINCH_RELABELLED:
    SPECIAL[_rel] = check_sinch_relabelled
for _rel in SINCH_FRAGMENTS:
    SPECIAL[_rel] = check_sinch_fragment


@pytest.mark.parametrize("rel", fixture_files())
def test_fixture(rel, fake_provider):
    assert rel in SPECIAL, f"no expectation for fixture {rel}: add one"
    SPECIAL[rel](rel, fake_provider)


def test_every_expectation_has_a_fixture():
    assert set(SPECIAL) <= set(fixture_files())
