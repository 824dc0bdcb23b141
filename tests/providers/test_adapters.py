"""Adapter behaviour beyond the shared fixtures: documented-but-uncaptured shapes, the sandbox, the registry, errors as data."""

import copy
import json

import pytest

from app.domain.shapes import PROVIDER_NAMES
from app.providers import (
    PROVIDERS,
    OutboundMessage,
    ProviderError,
    WebhookRequest,
    get_provider,
    provider_choices,
)
from app.providers.base import CredentialField
from app.providers.sandbox import build_inbound, data_url

from .support import assert_events, form_request, json_request, make, read_bytes

# Kaleyra's documented v2 incoming example ("Reply - Media Message"), numbers replaced by fakes.
KALEYRA_V2_IMAGE = {
    "meta_object": {
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001000", "phone_number_id": "100000000000001"},
            "contacts": [{"profile": {"name": "Samuel"}, "wa_id": "15550001111"}],
            "messages": [
                {
                    "context": {"from": "15550001111", "id": "wamid.QUOTED="},
                    "from": "15550001111",
                    "id": "wamid.IMAGE=",
                    "timestamp": "1722863329",
                    "type": "image",
                    "image": {"mime_type": "image/jpeg", "sha256": "h=", "id": "4621000000000"},
                }
            ],
        },
        "field": "messages",
    },
    "extra_info": {
        "media_url": "https://example.com/images/product123.jpg",
        "reply_to": "48c38d78-4ec5-0000-abee-030000006c85",
        "trace_id": "cb94fee2-3e70-0000-944a-2a40000db90a",
        "waba_id": "100000000000002",
    },
}


def test_kaleyra_v2_incoming_media_uses_kaleyras_copy():
    assert_events(
        make("kaleyra").parse_webhook(json_request(KALEYRA_V2_IMAGE)),
        [
            {
                "kind": "image",
                "provider_message_id": "wamid.IMAGE=",
                "sender": "+15550001111",
                "profile_name": "Samuel",
                "recipient": "+15550001000",
                "context_message_id": "wamid.QUOTED=",
                "media": {"provider_media_id": "4621000000000", "url": "https://example.com/images/product123.jpg"},
            }
        ],
    )


def test_kaleyra_not_sent_status_and_v1_media():
    not_sent = {"status": "NOT-SENT", "message_id": "k-9", "error": "template paused", "extra_info": {"ref": "parley-1"}}
    assert_events(
        make("kaleyra").parse_webhook(json_request(not_sent)),
        [
            {
                "event_type": "status",
                "status": "failed",
                "provider_message_id": "k-9",
                "client_ref": "parley-1",
                "error": {"detail": "template paused"},
            }
        ],
    )
    v1 = {
        "from": "15550001111",
        "type": "audio",
        "mime_type": "audio/ogg",
        "media_url": "https://s3.example/a.ogg",
        "created_at": "1722863329",
        "location": "",
        "body": "",
    }
    event = make("kaleyra").parse_webhook(json_request(v1))[0]
    assert (event.kind, event.media.url, event.timestamp.year) == ("voice", "https://s3.example/a.ogg", 2024)
    replay = make("kaleyra").parse_webhook(json_request(v1))[0]
    assert event.provider_message_id == replay.provider_message_id  # derived id: replays dedupe
    loc = make("kaleyra").parse_webhook(
        json_request(
            {"from": "15550001111", "type": "location", "location": '{"latitude": 1.5, "longitude": 2.5, "name": "Here"}'}
        )
    )[0]
    assert (loc.kind, loc.location.latitude, loc.location.name) == ("location", 1.5, "Here")


def test_twilio_multiple_media_and_quiet_statuses():
    body = (
        b"MessageSid=MM1&From=whatsapp%3A%2B15550001111&To=whatsapp%3A%2B15550001000&Body=two+files&NumMedia=2"
        b"&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2FME1&MediaContentType0=audio%2Fogg"
        b"&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm%2FME2&MediaContentType1=application%2Fpdf&ProfileName=Ann"
    )
    events = make("twilio").parse_webhook(form_request(body))
    assert [(e.provider_message_id, e.kind, e.caption) for e in events] == [
        ("MM1", "voice", "two files"),
        ("MM1/1", "document", None),
    ]
    queued = b"MessageSid=SM1&MessageStatus=queued&To=whatsapp%3A%2B15550001111"
    assert make("twilio").parse_webhook(form_request(queued)) == []


def test_sinch_whatsapp_unsupported_callback_is_read_as_meta():
    payload = {
        "contacts": [{"profile": {"name": "Ann"}, "wa_id": "15550001111"}],
        "messages": [
            {
                "from": "15550001111",
                "id": "wamid.C=",
                "timestamp": "1700000000",
                "type": "contacts",
                "contacts": [{"name": {"formatted_name": "Bob"}, "phones": [{"phone": "+1 555 000 2222"}]}],
            }
        ],
    }
    callback = {"app_id": "app", "unsupported_callback": {"channel": "WHATSAPP", "payload": json.dumps(payload)}}
    assert_events(
        make("sinch").parse_webhook(json_request(callback)),
        [
            {
                "provider": "sinch",
                "kind": "contacts",
                "provider_message_id": "wamid.C=",
                "profile_name": "Ann",
                "contacts": [{"name": "Bob", "phones": ["+1 555 000 2222"]}],
            }
        ],
    )


def test_sinch_unreact_removes_the_reaction():
    event = {
        "app_id": "a",
        "event": {
            "id": "e1",
            "channel_identity": {"channel": "WHATSAPP", "identity": "15550001111"},
            "contact_message_event": {"reaction_event": {"emoji": "👍", "action": "REACTION_ACTION_UNREACT", "message_id": "m"}},
        },
    }
    [reaction] = make("sinch").parse_webhook(json_request(event))
    assert reaction.kind == "reaction" and reaction.reaction_removed and reaction.reaction.emoji is None


def test_meta_batches_across_entries_and_numbers():
    def change(pnid, msg_id):
        return {
            "field": "messages",
            "value": {
                "metadata": {"phone_number_id": pnid, "display_phone_number": "15550001000"},
                "messages": [{"from": "15550001111", "id": msg_id, "timestamp": "1", "type": "text", "text": {"body": "x"}}],
                "statuses": [{"id": f"out-{msg_id}", "status": "delivered", "timestamp": "1", "recipient_id": "15550001111"}],
            },
        }

    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "w", "changes": [change("P1", "a"), change("P2", "b")]}, {"id": "w2", "changes": [change("P3", "c")]}],
    }
    events = make("meta").parse_webhook(json_request(body))
    assert [(e.event_type, e.channel_id) for e in events] == [
        ("message", "P1"),
        ("status", "P1"),
        ("message", "P2"),
        ("status", "P2"),
        ("message", "P3"),
        ("status", "P3"),
    ]


def test_sandbox_kinds_and_send():
    adapter = make("sandbox")
    events = [
        build_inbound("+15550001111", "image", media={"url": data_url(b"x", "image/png"), "mime_type": "image/png"}, caption="c"),
        build_inbound("+15550001111", "location", location={"latitude": 1, "longitude": 2, "name": "N"}),
        build_inbound("+15550001111", "reaction", reaction={"message_id": "sbx.1", "emoji": ""}),
        build_inbound("+15550001111", "button_reply", reply={"id": "yes", "title": "Yes"}, context_message_id="sbx.2"),
    ]
    image, location, reaction, reply = adapter.parse_webhook(json_request({"events": events}))
    assert (image.media.mime_type, image.caption, location.location.name) == ("image/png", "c", "N")
    assert reaction.reaction_removed and (reply.reply.id, reply.context_message_id) == ("yes", "sbx.2")
    result = adapter.send(OutboundMessage("+15550001111", "reaction"))
    assert result.provider_message_id.startswith("sbx.")
    assert all(adapter.supports(k) for k in ("templates", "reactions", "quote_reply", "location", "start_conversation"))


def test_events_and_errors_serialise():
    [event] = make("meta").parse_webhook(json_request(read_bytes("meta/status_failed_131047_reengagement.json")))
    stored = json.loads(json.dumps(event.to_dict(), default=str))
    assert stored["error"]["user_message"] == "Send a Recontact template to continue the conversation"
    error = ProviderError("429", "Too many", category="rate_limited", retryable=True, retry_after=3.0, http_status=429)
    assert copy.deepcopy(error) == error  # same __reduce__ path pickle (RQ) takes
    with pytest.raises(ValueError):
        ProviderError("x", "y", category="nonsense")


def test_registry_and_credential_specs():
    assert {name for name, _label in provider_choices()} == {"meta", "twilio", "kaleyra", "sinch", "sandbox"}
    assert isinstance(get_provider({"provider": "meta", "credentials": {}}), PROVIDERS["meta"])
    with pytest.raises(KeyError):
        get_provider({"provider": "carrier-pigeon"})
    for cls in PROVIDERS.values():
        assert cls.credential_fields and all(isinstance(f, CredentialField) for f in cls.credential_fields)
        assert cls.default_api_base or cls.name == "sandbox"
    secrets = {f.name for cls in PROVIDERS.values() for f in cls.credential_fields if f.secret}
    assert {"access_token", "app_secret", "auth_token", "api_key", "key_secret", "webhook_secret"} <= secrets


def test_missing_credential_is_an_auth_error_before_any_call():
    with pytest.raises(ProviderError) as err:
        get_provider({"provider": "meta", "phone": "+15550001000", "credentials": {}}).send(
            OutboundMessage("+15550001111", "text", text="x")
        )
    assert err.value.category == "auth" and "phone_number_id" in err.value.detail


def test_webhook_request_normalises_inputs():
    req = WebhookRequest(
        "post", "https://p.example/h?a=1&a=2", headers={"X-Thing": "v"}, args={"a": ["1", "2"], "b": "3"}, form={"c": "4"}
    )
    assert (req.method, req.path, req.header("x-thing"), req.args, req.form) == (
        "POST",
        "/h",
        "v",
        {"a": ["1", "2"], "b": ["3"]},
        {"c": ["4"]},
    )


def test_the_domain_names_every_registered_provider():
    assert tuple(PROVIDERS) == PROVIDER_NAMES
