"""The sandbox enforces WhatsApp's 24-hour window, and the simulator's "jump 24 h ahead" closes it on demand
(development and tests only) without rewriting anything but that conversation's window."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.providers.errors import WINDOW_CLOSED_MESSAGE, ProviderError
from app.providers.outbound import OutboundMessage, TemplateSpec
from app.providers.registry import get_provider
from app.services import clock
from app.services.conversations import delivery, live, outbound, routing
from tests.simulator.support import Session
from tests.support.builders import make_user
from tests.support.engine import stored_message, stored_messages
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.webhooks.support import make_account


@pytest.fixture
def sim(app, agent_client):
    return Session(agent_client, make_account("sandbox"))


def take(sim):
    interaction = get_db().interactions.find_one({"account_id": sim.account["_id"]})
    agent = make_user("agent")
    get_db().queues.update_one({"_id": sim.account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    routing.accept(agent, interaction["_id"])
    return agent, interaction


def send(agent, interaction, payload):
    message, warnings = outbound.compose(agent, interaction["_id"], payload)
    outcome = delivery.deliver(str(interaction["_id"]), message["id"])
    return outcome, stored_message(interaction["_id"], message["id"]), warnings


def test_the_sandbox_adapter_refuses_all_but_templates_and_reactions_once_the_window_closed():
    adapter = get_provider({"provider": "sandbox", "phone": "+15550000000", "credentials": {}})
    with pytest.raises(ProviderError) as refused:
        adapter.send(OutboundMessage("+12025550100", "text", text="Still there?", window_open=False))
    error = refused.value
    assert (error.code, error.title, error.category, error.retryable) == (
        "131047",
        "Re-engagement message",
        "window_closed",
        False,
    )
    assert error.user_message == WINDOW_CLOSED_MESSAGE
    assert adapter.send(OutboundMessage("+12025550100", "template", template=TemplateSpec("hello"), window_open=False))
    assert adapter.send(OutboundMessage("+12025550100", "text", text="Hi", window_open=True))


def test_jumping_closes_the_window_the_sandbox_then_refuses_free_text_and_the_customer_reopens_it(sim):
    sim.say("text", text="Hello")
    agent, interaction = take(sim)
    assert send(agent, interaction, {"text": "Hi, how can I help?"})[0] == "sent"
    before = get_db().interactions.find_one({"_id": interaction["_id"]})
    messages_before = stored_messages(interaction["_id"])
    assert sim.conversation().get_json()["window_open"] is True

    assert sim.jump().get_json() == {"window_expired": True}
    after = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert after["window_expired"] is True and after["seq"] == before["seq"] + 1
    assert after["last_inbound_at"] == before["last_inbound_at"] - timedelta(hours=24)
    assert after["window_expires_at"] == before["window_expires_at"] - timedelta(hours=24) <= clock.now().replace(tzinfo=None)
    assert stored_messages(interaction["_id"]) == messages_before, "nothing else moves"
    assert after["created_at"] == before["created_at"]
    events = live.events_since(interaction["_id"], before["seq"])["events"]
    assert [e["event"] for e in events] == ["window_expired"], "the desktop is told at once"
    assert sim.conversation().get_json()["window_open"] is False

    outcome, refused, warnings = send(agent, interaction, {"text": "Are you still there?"})
    assert outcome == "failed" and warnings, "warned first, then refused"
    assert refused["error"]["code"] == "131047" and refused["error"]["user_message"] == WINDOW_CLOSED_MESSAGE
    assert [m["text"] for m in sim.conversation().get_json()["messages"]] == ["Hello", "Hi, how can I help?"], (
        "the refused message never reaches the phone"
    )

    sim.say("text", text="Yes, still here")
    assert sim.conversation().get_json()["window_open"] is True
    assert send(agent, interaction, {"text": "Great"})[0] == "sent"


def test_the_jump_needs_a_conversation_of_a_number_of_this_session_and_never_runs_in_production(app, sim, admin_client):
    assert sim.jump().status_code == 404, "no conversation yet"
    sim.say("text", text="Hello")
    assert sim.client.post(f"{sim.base}/jump", json={"phone": sim.phone}).status_code == 400, "CSRF is on"
    assert sim.client.post("/simulator/numbers", json={}).status_code == 400, "CSRF is on"
    other = Session(admin_client, sim.account)
    assert other.jump(sim.phone).status_code == 403
    app.config["PARLEY_SIMULATOR_TIME_JUMP"] = False
    assert sim.jump().status_code == 404
    assert b"data-jump" not in sim.client.get("/simulator/").data
    app.config["PARLEY_SIMULATOR_TIME_JUMP"] = True
    assert b"data-jump" in sim.client.get("/simulator/").data
    assert get_db().interactions.find_one({})["window_expired"] is False


def test_production_settings_turn_the_jump_off(monkeypatch):
    from config import load_config

    assert load_config("development").PARLEY_SIMULATOR_TIME_JUMP is True
    assert load_config("testing").PARLEY_SIMULATOR_TIME_JUMP is True
    assert load_config("production").PARLEY_SIMULATOR_TIME_JUMP is False


@embedded_only
def test_the_simulators_queries_are_served_by_declared_indexes(sim):
    with recording({"interactions", "contacts", "simulator_numbers", "accounts"}) as shapes:
        sim.new_number()
        sim.say("text", text="Hello")
        agent, interaction = take(sim)
        provider_id = send(agent, interaction, {"text": "Hi"})[1]["provider_message_id"]
        sim.deliver(sim.ack(provider_id, "read"))
        sim.say("reaction", reaction={"message_id": provider_id, "emoji": "👍"})
        sim.conversation()
        sim.jump()
        sim.client.get(f"{sim.base}/media/0123456789abcdef01234567")
    assert len(shapes) > 10
    assert uncovered(shapes) == []
