"""The typing indicator against the fake Meta server: per the account's read-receipt policy, debounced,
only for the assigned agent of an open conversation inside its window, through the REST API."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, routing, typing_indicator
from app.services.errors import Conflict, Forbidden
from tests.engine.test_meta_flow import MESSAGES, meta_account, meta_text_event
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import csrf_token, make_user, sign_in
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.jobs import run_inbound

TYPING = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.INHello", "typing_indicator": {"type": "text"}}


def conversation_with(fake_provider, read_receipts):
    agent = make_user("agent", name="Alice")
    account = meta_account(fake_provider, make_queue([agent["_id"]]), read_receipts=read_receipts)
    inbound.ingest(account, [meta_text_event(account)])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    fake_provider.route("POST", MESSAGES, FakeResponse(200, {"success": True}))
    return agent, interaction


def sent_to_meta(fake_provider):
    return [r.json for r in fake_provider.requests_to(MESSAGES)]


def test_typing_on_view_reaches_meta_once_per_20_seconds(app, fake_provider):
    clock.freeze()
    agent, interaction = conversation_with(fake_provider, "on_view")
    assert typing_indicator.agent_typing(agent, interaction["_id"]) == {"sent": True, "reason": None}
    assert typing_indicator.agent_typing(agent, interaction["_id"]) == {"sent": False, "reason": "debounced"}
    clock.advance(timedelta(seconds=19))
    assert typing_indicator.agent_typing(agent, interaction["_id"])["reason"] == "debounced"
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == [TYPING]
    # Meta marked the customer's message read with it: no second read receipt for the same message.
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["read_receipt_for"] == "wamid.INHello"
    clock.advance(timedelta(seconds=1))
    assert typing_indicator.agent_typing(agent, interaction["_id"])["sent"] is True
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == [TYPING, TYPING]


@pytest.mark.parametrize("policy", ["on_reply", "never"])
def test_no_typing_indicator_unless_read_receipts_go_on_view(app, fake_provider, policy):
    agent, interaction = conversation_with(fake_provider, policy)
    assert typing_indicator.agent_typing(agent, interaction["_id"]) == {"sent": False, "reason": "read_receipts"}
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == []


def test_a_policy_changed_before_the_job_runs_stops_it(app, fake_provider):
    agent, interaction = conversation_with(fake_provider, "on_view")
    assert typing_indicator.agent_typing(agent, interaction["_id"])["sent"] is True
    get_db().accounts.update_one({}, {"$set": {"settings.read_receipts": "never"}})
    from app.services import config_cache

    config_cache.changed()
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == []


def test_only_who_may_write_in_an_open_conversation_inside_the_window(app, fake_provider):
    agent, interaction = conversation_with(fake_provider, "on_view")
    colleague = make_user("agent", name="Bob")
    get_db().queues.update_one({}, {"$push": {"agent_ids": colleague["_id"]}})
    with pytest.raises(Forbidden):
        typing_indicator.agent_typing(colleague, interaction["_id"])
    clock.advance(timedelta(hours=24, seconds=1))
    with pytest.raises(Conflict, match="24-hour window"):
        typing_indicator.agent_typing(agent, interaction["_id"])
    run_inbound(app, ("outbound",))  # whatever was queued is sent now: nothing was
    assert sent_to_meta(fake_provider) == []


def test_providers_without_an_indicator_are_left_alone(app):
    agent = make_user("agent")
    account = make_sandbox_account(make_queue([agent["_id"]]))
    inbound.ingest(account, customer_says(account, "+15550001111", "hi", timestamp=int(clock.now().timestamp())))
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    assert typing_indicator.agent_typing(agent, interaction["_id"]) == {"sent": False, "reason": "unsupported"}


def agent_desktop(app, fake_provider):
    """(client signed in as the conversation's agent, its CSRF token, the typing URL)."""
    agent, interaction = conversation_with(fake_provider, "on_view")
    client = app.test_client()
    sign_in(client, agent["email"])
    return client, csrf_token(client, "/desktop/"), f"/api/v1/interactions/{interaction['_id']}/typing"


def test_the_desktop_signals_typing_through_the_api(app, fake_provider):
    client, token, url = agent_desktop(app, fake_provider)
    assert client.post(url).status_code == 400  # no CSRF token: refused
    answer = client.post(url, headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json() == {"sent": True, "reason": None}
    assert client.post(url, headers={"X-CSRFToken": token}).get_json()["reason"] == "debounced"
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == [TYPING]


def test_typing_while_redis_is_down_answers_503_and_the_next_keystroke_tries_again(app, fake_provider):
    from app import queues
    from tools.devstack import free_port

    client, token, url = agent_desktop(app, fake_provider)
    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        answer = client.post(url, headers={"X-CSRFToken": token})
    finally:
        queues.configure(app.config["REDIS_URL"])
    assert answer.status_code == 503
    assert answer.get_json()["error"]["message"] == "The typing indicator could not be sent just now."
    assert client.post(url, headers={"X-CSRFToken": token}).get_json() == {"sent": True, "reason": None}, "no debounce left"
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == [TYPING]


def test_a_provider_slow_to_answer_an_indicator_is_given_up_sooner_than_a_send(app, fake_provider, monkeypatch):
    from app.providers import meta

    monkeypatch.setattr(meta, "TYPING_READ_TIMEOUT", 0.3)  # 5 s in use; a send waits the account's 15 s
    agent, interaction = conversation_with(fake_provider, "on_view")
    fake_provider.route("POST", MESSAGES, FakeResponse(200, {"success": True}, delay=1.5))
    assert typing_indicator.agent_typing(agent, interaction["_id"])["sent"] is True
    run_inbound(app, ("outbound",))
    assert sent_to_meta(fake_provider) == [TYPING]
    # Given up: the customer's message is not recorded as read, so the next read receipt still goes.
    assert get_db().interactions.find_one({"_id": interaction["_id"]}).get("read_receipt_for") is None
