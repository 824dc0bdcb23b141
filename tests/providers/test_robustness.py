"""Parsers and verifiers face the open internet: whatever arrives, they raise only their own two exceptions.

Random bytes, random JSON, random forms, and real fixtures with one part replaced by random
JSON (which reaches the deep code paths random documents never do).
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.providers import PROVIDERS, MalformedWebhook, WebhookRejected, WebhookRequest

from .support import fixture_files, load, make

NAMES = sorted(PROVIDERS)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
# Keys the adapters look for, so random documents sometimes take the interesting branches.
KEYS = [
    "entry",
    "changes",
    "value",
    "messages",
    "statuses",
    "contacts",
    "from",
    "id",
    "type",
    "text",
    "timestamp",
    "meta_object",
    "extra_info",
    "message",
    "contact_message",
    "message_delivery_report",
    "event",
    "channel_identity",
    "identity",
    "channel",
    "status",
    "events",
    "kind",
    "reaction",
    "location",
    "media",
    "unsupported_callback",
    "payload",
]
keyed_json = st.recursive(
    st.none() | st.integers() | st.text(max_size=20) | st.sampled_from(["WHATSAPP", "15550001111", "text", "failed", "TO_APP"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(KEYS), children, max_size=6),
    max_leaves=30,
)
JSON_FIXTURES = [f for f in fixture_files() if f.endswith(".json")]


def _only_malformed(name: str, req: WebhookRequest) -> None:
    try:
        events = make(name).parse_webhook(req)
    except MalformedWebhook:
        return
    assert isinstance(events, list)
    for event in events:
        json.dumps(event.to_dict(), default=str)  # what the web layer stores must serialise


def _post(body: bytes, content_type: str) -> WebhookRequest:
    return WebhookRequest.from_http("POST", "https://p.example/hook?secret=x", {"Content-Type": content_type}, body)


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    body=st.binary(max_size=300),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
)
def test_random_bytes(name, body, content_type):
    _only_malformed(name, _post(body, content_type))


@SETTINGS
@given(name=st.sampled_from(NAMES), doc=json_values | keyed_json)
def test_random_json(name, doc):
    _only_malformed(name, _post(json.dumps(doc).encode(), "application/json"))


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    form=st.dictionaries(
        st.sampled_from(
            [
                "MessageSid",
                "From",
                "To",
                "Body",
                "NumMedia",
                "MediaUrl0",
                "MediaContentType0",
                "Latitude",
                "Longitude",
                "MessageStatus",
                "ErrorCode",
                "ButtonPayload",
                "ListId",
                "SmsStatus",
                "from",
                "type",
                "location",
                "contacts",
                "created_at",
                "mobile",
            ]
        )
        | st.text(max_size=10),
        st.lists(st.text(max_size=40), min_size=1, max_size=3),
        max_size=8,
    ),
    method=st.sampled_from(["GET", "POST"]),
)
def test_random_forms(name, form, method):
    if method == "GET":
        req = WebhookRequest(method="GET", url="https://p.example/hook", args=form)
    else:
        req = WebhookRequest(
            method="POST", url="https://p.example/hook", form=form, content_type="application/x-www-form-urlencoded", body=b"x=1"
        )
    _only_malformed(name, req)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


@SETTINGS
@given(data=st.data(), fixture=st.sampled_from(JSON_FIXTURES), replacement=json_values)
def test_mutated_fixtures(data, fixture, replacement):
    doc = load(fixture)
    path = data.draw(st.sampled_from(list(_paths(doc))))
    body = json.dumps(_replace(doc, path, replacement)).encode()
    for name in ("meta", "kaleyra", "sinch", "sandbox"):
        _only_malformed(name, _post(body, "application/json"))


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    body=st.binary(max_size=100),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "X-Hub-Signature-256",
                "X-Twilio-Signature",
                "X-Parley-Secret",
                "X-Parley-Signature",
                "x-sinch-webhook-signature",
                "x-sinch-webhook-signature-nonce",
                "x-sinch-webhook-signature-timestamp",
                "Content-Type",
            ]
        ),
        st.text(max_size=40),
        max_size=6,
    ),
)
def test_verification_only_rejects(name, body, headers):
    req = WebhookRequest.from_http("POST", "https://p.example/hook", headers, body)
    try:
        make(name).verify_request(req)
    except WebhookRejected as exc:
        assert exc.status in (401, 403)
    else:
        raise AssertionError("a random request passed verification")
