"""The error table applied end to end: each provider's error answer (or failed status webhook) from the
fake provider server leaves the message failed with the table's meaning and action, or retrying
when the table says a retry can help, and the agent reads no raw code or provider text."""

import pytest

from app.db import get_db
from app.domain import provider_errors
from app.providers import InboundMessage
from app.services import clock
from app.services.conversations import delivery, inbound, outbound, routing
from tests.engine.helpers import message
from tests.fakes.provider_server import FakeResponse
from tests.providers.support import load
from tests.support.builders import make_user, sign_in
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.webhooks.support import make_account, post_fixture

CUSTOMER = "+15550001111"
BUSINESS = "+15550001000"
SEND_PATHS = {
    "meta": "/v23.0/100000000000001/messages",
    "twilio": "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json",
    "kaleyra": "/v2/HXAP0000000000IN/whatsapp/+15550001000/messages",
    "sinch": "/v1/projects/00000000-0000-0000-0000-000000000001/messages:send",
}
SENT = {
    "meta": lambda pid: FakeResponse(json={"messaging_product": "whatsapp", "messages": [{"id": pid}]}),
    "twilio": lambda pid: FakeResponse(201, {"sid": pid, "status": "queued"}),
    "sinch": lambda pid: FakeResponse(json={"message_id": pid, "accepted_time": "2026-01-01T00:00:00Z"}),
}


def _conversation(provider, fake):
    """(agent, account, interaction): a customer of a `provider` account wrote, an agent accepted."""
    if provider == "sinch":
        fake.sinch_oauth("key-id", "key-secret")
    agent = make_user("agent")
    api_base = fake.url + ("/v23.0" if provider == "meta" else "")
    extra = {"app_id": "01EB37HMH1M6SV18ASNS3G135H"} if provider == "sinch" else {}
    account = make_account(provider, api_base=api_base, phone=BUSINESS, **extra)
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    event = InboundMessage(provider, f"in-{provider}", CUSTOMER, "text", clock.now(), text="Where is my order?")
    inbound.ingest(account, [event])
    interaction = routing.accept(agent, get_db().interactions.find_one({"account_id": account["_id"]})["_id"])
    return agent, account, interaction


def _send(agent, interaction):
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Your parcel left today"})
    return delivery.deliver(str(interaction["_id"]), sent["id"]), sent["id"]


def _agent_sees(app, agent, interaction_id):
    client = app.test_client()
    sign_in(client, agent["email"])
    return client.get(f"/api/v1/interactions/{interaction_id}").get_json()


#: fixture -> (status, outcome, expected sentence)
SEND_FAILURES = {
    "meta/response_error_131026_undeliverable.json": (
        400,
        "failed",
        "Message undeliverable. Parley will not try again. Check with the customer by another channel that this number "
        "uses a recent WhatsApp and accepted its terms.",
    ),
    "meta/response_error_132001_template_missing.json": (
        404,
        "failed",
        "Template not found. Parley will not try again. Choose another template, or ask an admin to sync the account's "
        "templates.",
    ),
    "meta/response_error_368_policy_block.json": (
        400,
        "failed",
        "Account temporarily blocked for a policy violation. Parley will not try again. An admin must check the "
        "account's policy notices in WhatsApp Manager; messages fail until the block ends.",
    ),
    "meta/response_error_131056_pair_rate_limit.json": (
        400,
        "retrying",
        "Too many messages to this customer. Parley will try again in",
    ),
    "twilio/response_error_63024.json": (
        400,
        "failed",
        "Invalid recipient. Parley will not try again. Check the customer's number: it is not a WhatsApp number.",
    ),
    "twilio/response_error_63018_rate_limit.json": (429, "retrying", "Too many messages at once. Parley will try again in"),
    "kaleyra/v2_response_error_wav2101.json": (
        400,
        "failed",
        "The provider account's daily limit is reached. Parley will not try again. Try again tomorrow, or ask an admin to "
        "raise the Kaleyra account's limit.",
    ),
}


@pytest.mark.parametrize("rel", SEND_FAILURES)
def test_a_send_refused_with_a_known_code_follows_the_table(app, fake_provider, rel):
    provider = rel.split("/")[0]
    status, outcome, sentence = SEND_FAILURES[rel]
    agent, _, interaction = _conversation(provider, fake_provider)
    fake_provider.script("POST", SEND_PATHS[provider], FakeResponse(status, load(rel)))
    assert _send(agent, interaction)[0] == outcome
    shown = _agent_sees(app, agent, interaction["_id"])["messages"][-1]
    error = shown["error"] if outcome == "failed" else shown["retry"]["error"]
    assert error["user_message"].startswith(sentence)
    rule = provider_errors.rule_for(provider, error["code"])
    assert (error["title"], error["action"], error["retry"]) == (rule.title, rule.action, rule.retry)
    text = str(shown)
    for raw in (load(rel).get("message"), (load(rel).get("error") or {}).get("message")):
        assert not raw or raw not in text, "the provider's own words stay with admins"


def test_a_pair_rate_limit_waits_at_least_the_tables_pause(app, fake_provider):
    agent, _, interaction = _conversation("meta", fake_provider)
    fake_provider.script("POST", SEND_PATHS["meta"], FakeResponse(400, load("meta/response_error_131056_pair_rate_limit.json")))
    outcome, message_id = _send(agent, interaction)
    assert outcome == "retrying"
    assert message(interaction["_id"], message_id)["retry"]["next_in"] >= provider_errors.META["131056"].wait


def test_a_never_retry_code_stops_even_on_a_server_error_status(app, fake_provider):
    """The table wins over the HTTP status: 131026 on a 500 is still final."""
    agent, _, interaction = _conversation("meta", fake_provider)
    fake_provider.script("POST", SEND_PATHS["meta"], FakeResponse(500, load("meta/response_error_131026_undeliverable.json")))
    assert _send(agent, interaction)[0] == "failed"
    assert len(fake_provider.requests_to(SEND_PATHS["meta"], "POST")) == 1


def test_a_revoked_token_holds_the_message_for_re_authorization(app, fake_provider):
    agent, account, interaction = _conversation("meta", fake_provider)
    fake_provider.script("POST", SEND_PATHS["meta"], FakeResponse(401, load("meta/response_error_expired_token_pywa.json")))
    assert _send(agent, interaction)[0] == "held"
    assert get_db().accounts.find_one({"_id": account["_id"]})["status"] == "needs_reauth"


#: status webhook fixture -> (provider id it reports on, expected sentence)
STATUS_FAILURES = {
    "meta/status_failed_131049_marketing_limit.json": (
        "wamid.FAKE000000000000000000000031=",
        "Marketing limit for this customer. Parley will not try again. Do not send it again now: WhatsApp limits how "
        "many marketing messages a customer gets; try another day.",
    ),
    "twilio/status_undelivered_63032.txt": (
        "SM00000000000000000000000000000032",
        "Held back by a WhatsApp experiment. Parley will not try again. Nothing to do now:",
    ),
    "sinch/delivery_failed_recipient_not_reachable.json": (
        "01EQBF0BT63J7S1FEKJZ0Z0RNR",
        "Message undeliverable. Parley will not try again. Check with the customer by another channel",
    ),
}


@pytest.mark.parametrize("rel", STATUS_FAILURES)
def test_a_failed_status_with_a_known_code_shows_its_meaning_in_the_api_and_the_list(app, fake_provider, admin_client, rel):
    provider = rel.split("/")[0]
    provider_id, sentence = STATUS_FAILURES[rel]
    agent, account, interaction = _conversation(provider, fake_provider)
    fake_provider.script("POST", SEND_PATHS[provider], SENT[provider](provider_id))
    assert _send(agent, interaction)[0] == "sent"
    response = post_fixture(app.test_client(), account, rel)
    assert response.status_code == 200 and response.applied.get("applied") == 1, response.applied

    shown = _agent_sees(app, agent, interaction["_id"])["messages"][-1]
    assert shown["status"] == "failed" and shown["error"]["user_message"].startswith(sentence)
    rule = provider_errors.rule_for(provider, shown["error"]["code"])
    assert shown["error"]["action"] == rule.action

    agent_client = app.test_client()
    sign_in(agent_client, agent["email"])
    row = agent_client.get("/interactions/").get_data(as_text=True)
    assert f"Not delivered: {rule.title}" in row and rule.action.replace("'", "&#39;") in row
    assert 'data-testid="error-code"' not in row, "the raw code is a detail for admins"
    admin_row = admin_client.get("/interactions/").get_data(as_text=True)
    assert f"(code {shown['error']['code']})" in admin_row


def test_a_later_message_clears_the_lists_failure(app, fake_provider):
    agent, account, interaction = _conversation("meta", fake_provider)
    fake_provider.script("POST", SEND_PATHS["meta"], FakeResponse(400, load("meta/response_error_131026_undeliverable.json")))
    _send(agent, interaction)
    assert (
        get_db().interactions.find_one({"_id": interaction["_id"]})["last_message"]["failure"]["title"] == "Message undeliverable"
    )
    inbound.ingest(account, [InboundMessage("meta", "in-meta-2", CUSTOMER, "text", clock.now(), text="Hello?")])
    assert "failure" not in get_db().interactions.find_one({"_id": interaction["_id"]})["last_message"]


@embedded_only
def test_the_lists_failure_line_queries_only_through_declared_indexes(app, fake_provider):
    agent, account, interaction = _conversation("meta", fake_provider)
    fake_provider.script("POST", SEND_PATHS["meta"], FakeResponse(400, load("meta/response_error_131026_undeliverable.json")))
    with recording({"interactions", "messages"}) as shapes:
        _send(agent, interaction)
    assert shapes and uncovered(shapes) == []
