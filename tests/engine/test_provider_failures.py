"""Failed provider calls reach agents as one sentence (what happened, whether Parley retries, what to
do), never as hosts, ports or exception text; admins see the detail on the interaction page."""

import json
import logging

import pytest

from app.db import get_db
from app.providers import http as provider_http
from app.services.conversations import delivery, outbound
from tests.engine import test_meta_flow
from tests.engine.helpers import message
from tests.engine.test_meta_flow import MESSAGES
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import sign_in
from tests.support.engine import stored_messages

meta_setup = test_meta_flow.meta_setup  # the fixture: an agent with an accepted Meta interaction

#: What must never reach an agent: the transport's and the provider's own words.
INTERNALS = (
    "127.0.0.1",
    "localhost",
    "HTTPConnectionPool",
    "Max retries",
    "ReadTimeout",
    "ConnectionError",
    "Connection refused",
    "Errno",
    "Traceback",
    "upstream exploded",
    "Invalid parameter (#100)",
)


def _agent_views(app, agent, interaction_id):
    """Everything the agent's desktop and pages read about the interaction, as text."""
    client = app.test_client()
    sign_in(client, agent["email"])
    api = client.get(f"/api/v1/interactions/{interaction_id}").get_data(as_text=True)
    events = client.get(f"/api/v1/interactions/{interaction_id}/events?after_seq=0").get_data(as_text=True)
    page = client.get(f"/interactions/{interaction_id}").get_data(as_text=True)
    return api + events + page


def _assert_clean(text, fake_provider):
    port = fake_provider.url.rsplit(":", 1)[1]
    for internal in (*INTERNALS, f":{port}", port):
        assert internal not in text, f"agents were shown {internal!r}"


def _send(agent, interaction, attempt=1):
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Your order is on its way"})
    outcome = delivery.deliver(str(interaction["_id"]), sent["id"], attempt)
    return outcome, message(interaction["_id"], sent["id"])


@pytest.fixture
def quick_timeout(app):
    # Read timeout under the timeout scenario's 1 s delay, with room for a slow machine elsewhere.
    provider_http.configure(2.0, 0.6)
    yield
    provider_http.configure(*provider_http.DEFAULT_TIMEOUT)


SCENARIOS = {
    "timeout": (
        lambda fake: fake.script("POST", MESSAGES, FakeResponse(json={"messages": [{"id": "x"}]}, delay=1.0)),
        "The WhatsApp provider did not answer in time. Parley will try again in",
        "Read timed out",
    ),
    "refused": (
        lambda fake: fake.stop(),
        "Parley could not reach the WhatsApp provider. Parley will try again in",
        "Connection refused",
    ),
    "5xx": (
        lambda fake: fake.script(
            "POST", MESSAGES, FakeResponse(502, body=b"<html>upstream exploded</html>", headers={"Content-Type": "text/html"})
        ),
        "The WhatsApp provider had a fault on its side. Parley will try again in",
        "upstream exploded",
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_retried_failure_is_a_sentence_for_agents_and_detail_for_admins(
    app,
    meta_setup,
    fake_provider,
    admin_client,
    quick_timeout,
    caplog,
    scenario,
):
    agent, _, interaction = meta_setup
    arrange, agent_text, detail = SCENARIOS[scenario]
    arrange(fake_provider)
    with caplog.at_level(logging.WARNING, logger="app.services.channel.provider_failures"):
        outcome, sent = _send(agent, interaction)
    assert outcome == "retrying"
    assert sent["retry"]["error"]["user_message"].startswith(agent_text)
    assert sent["retry"]["error"]["user_message"].endswith(" seconds.")
    assert "detail" not in sent["retry"]["error"]
    _assert_clean(json.dumps(sent, default=str), fake_provider)
    _assert_clean(_agent_views(app, agent, interaction["_id"]), fake_provider)

    assert detail in caplog.text
    admin_page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert 'data-testid="provider-errors"' in admin_page and detail in admin_page
    [kept] = get_db().provider_errors.find({"interaction_id": interaction["_id"]})
    assert detail in kept["detail"] and kept["stage"] == "send" and kept["attempt"] == 1


def test_the_last_attempt_says_parley_stopped_and_what_to_do(app, meta_setup, fake_provider, quick_timeout):
    agent, _, interaction = meta_setup
    fake_provider.stop()
    outcome, sent = _send(agent, interaction, attempt=delivery.MAX_ATTEMPTS)
    assert outcome == "failed" and sent["status"] == "failed"
    assert sent["error"]["user_message"] == (
        "Parley could not reach the WhatsApp provider. Parley has stopped trying. "
        "You can press Retry to send it again; an admin can see the provider's reason on the interaction page."
    )
    _assert_clean(_agent_views(app, agent, interaction["_id"]), fake_provider)


def test_a_meta_error_code_becomes_a_sentence_and_its_words_go_to_admins(app, meta_setup, fake_provider, admin_client):
    agent, _, interaction = meta_setup
    meta_error = {
        "error": {
            "message": "(#131026) Message undeliverable",
            "type": "OAuthException",
            "code": 131026,
            "error_data": {"details": "Invalid parameter (#100) recipient at 127.0.0.1 unreachable"},
        }
    }
    fake_provider.script("POST", MESSAGES, FakeResponse(400, meta_error))
    outcome, sent = _send(agent, interaction)
    assert outcome == "failed"
    assert sent["error"]["user_message"] == (
        "Message undeliverable. Parley will not try again. Check with the customer by another channel that this "
        "number uses a recent WhatsApp and accepted its terms."
    )
    assert sent["error"]["code"] == "131026" and sent["error"]["category"] == "invalid_recipient"
    assert sent["error"]["title"] == "Message undeliverable" and sent["error"]["retry"] == "never"
    _assert_clean(_agent_views(app, agent, interaction["_id"]), fake_provider)
    admin_page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "Invalid parameter (#100) recipient at 127.0.0.1 unreachable" in admin_page
    assert "131026" in admin_page


def test_a_failed_status_from_the_provider_is_a_sentence_too(app, meta_setup, fake_provider, admin_client):
    from app.providers.errors import ProviderError
    from app.services.conversations import statuses

    agent, account, interaction = meta_setup
    fake_provider.script("POST", MESSAGES, FakeResponse(200, {"messages": [{"id": "wamid.OUT9"}]}))
    outcome, sent = _send(agent, interaction)
    assert outcome == "sent"
    raw = ProviderError("131053", "Media upload error", "Unable to fetch https://cdn.internal:8443/x.png", category="media")
    assert statuses.apply_now(account["_id"], "wamid.OUT9", "failed", sent["at"], raw.to_dict()) == "applied"
    failed = message(interaction["_id"], sent["id"])
    assert failed["error"]["user_message"] == (
        "The attachment could not be uploaded. Parley will not try again. Send a different file in a supported format and size."
    )
    views = _agent_views(app, agent, interaction["_id"])
    assert "cdn.internal" not in views and "8443" not in views
    assert "https://cdn.internal:8443/x.png" in admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)


def test_a_failed_media_download_is_a_sentence_for_agents_and_detail_for_admins(app, fake_provider, admin_client):
    from app.services.attachments import media
    from tests.providers.support import read_bytes
    from tests.webhooks.support import deliver, make_account, signed

    account = make_account("meta", api_base=fake_provider.url + "/v23.0")
    fake_provider.route("GET", "/v23.0/900000000000001", FakeResponse(503, body=b"backend pool 10.9.8.7:9000 exhausted"))
    headers, body = signed(account, read_bytes("meta/inbound_image.json"))
    assert deliver(app.test_client(), account, body, headers).status_code == 200
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    message_id = stored_messages(interaction["_id"])[0]["id"]
    assert media.fetch_inbound(str(interaction["_id"]), message_id) == "retrying"

    shown = message(interaction["_id"], message_id)["media"]["error"]
    assert shown["reason"].startswith("The WhatsApp provider had a fault on its side. Parley will try again in")
    assert "10.9.8.7" not in json.dumps(shown, default=str)
    admin_page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "backend pool 10.9.8.7:9000 exhausted" in admin_page


@pytest.mark.parametrize(
    ("error", "how", "expected"),
    [
        (
            {"code": "429", "category": "rate_limited", "retryable": True},
            {"retrying": True, "next_in": 125},
            "The WhatsApp provider is limiting how many messages go out. Parley will try again in 3 minutes.",
        ),
        (
            {"code": "190", "category": "auth"},
            {},
            "The account's credentials were refused. An admin must renew the account's credentials; "
            "the message goes out once they do.",
        ),
        (
            {"code": "131047", "category": "window_closed", "detail": "24 hours passed"},
            {},
            "Send a Recontact template to continue the conversation",
        ),
        (
            {"code": "no_media", "category": "media", "detail": "x"},
            {"doing": "download"},
            "The provider could not hand over the customer's file. Parley will not try again. Ask the customer to send it again.",
        ),
        (
            {"code": "weird", "category": "other", "detail": "ValueError('x') at host:1"},
            {},
            "The WhatsApp provider could not handle the message. Parley will not try again. You can press Retry to send it "
            "again; an admin can see the provider's reason on the interaction page.",
        ),
    ],
)
def test_every_kind_of_failure_has_a_sentence(error, how, expected):
    from app.services.channel import provider_failures

    assert provider_failures.sentence(error, **how) == expected
