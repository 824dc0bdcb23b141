"""Agents' presence with a controlled clock and real Redis: what they choose, the grace period after
their last socket, what a reconnection restores, pause reasons, and what admins hear."""

import time
from datetime import timedelta

import pytest

from app.realtime import push
from app.services import clock
from app.services.errors import ValidationFailed
from app.services.routing import agent_status, presence
from app.services.setup.labels import DEFAULT_PAUSE_REASONS, pause_reason_names, pause_reasons
from tests.support.builders import make_user

GRACE = 30


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze()
    yield
    clock.reset()


@pytest.fixture
def agent(app):
    return make_user("agent", name="Ana")


def connect(agent, sid="sid-1"):
    push.mark_online(str(agent["_id"]), sid)
    agent_status.on_connect(agent)


def close_socket(agent, sid="sid-1"):
    push.socket_closed(str(agent["_id"]), sid)
    agent_status.on_disconnect(str(agent["_id"]))


def state(agent):
    return presence.state_of(agent["_id"])["state"]


def test_a_new_agent_is_online_once_connected_and_offline_before(agent):
    assert state(agent) == presence.OFFLINE
    connect(agent)
    assert state(agent) == presence.ONLINE
    assert presence.available([agent["_id"]]) == {str(agent["_id"])}


def test_a_disconnected_agent_keeps_their_state_through_the_grace_period_then_goes_offline(agent):
    connect(agent)
    close_socket(agent)
    clock.advance(timedelta(seconds=GRACE - 1))
    assert agent_status.sweep(GRACE) == [] and state(agent) == presence.ONLINE
    assert presence.available([agent["_id"]]) == set(), "no new offers while away"
    clock.advance(timedelta(seconds=1))
    assert agent_status.sweep(GRACE) == [str(agent["_id"])]
    assert presence.state_of(agent["_id"])["by"] == presence.BY_SYSTEM


def test_a_page_reload_within_the_grace_period_changes_nothing(agent):
    connect(agent)
    agent_status.change(agent, presence.PAUSED, "Lunch")
    close_socket(agent)
    clock.advance(timedelta(seconds=5))
    connect(agent, "sid-2")
    clock.advance(timedelta(seconds=GRACE * 2))
    assert agent_status.sweep(GRACE) == []
    assert presence.state_of(agent["_id"])["reason"] == "Lunch"


def test_coming_back_after_the_system_set_them_offline_restores_what_they_chose(agent):
    connect(agent)
    agent_status.change(agent, presence.PAUSED, "Training")
    close_socket(agent)
    clock.advance(timedelta(seconds=GRACE + 1))
    agent_status.sweep(GRACE)
    assert state(agent) == presence.OFFLINE
    connect(agent, "sid-2")
    restored = presence.state_of(agent["_id"])
    assert (restored["state"], restored["reason"]) == (presence.PAUSED, "Training")


def test_an_agent_who_chose_offline_stays_offline_when_they_reconnect(agent):
    connect(agent)
    agent_status.change(agent, presence.OFFLINE)
    close_socket(agent)
    connect(agent, "sid-2")
    assert state(agent) == presence.OFFLINE


def test_the_agents_of_a_dead_process_go_offline_a_grace_period_after_their_sockets_expired(agent):
    push.configure(1)
    try:
        connect(agent)
        time.sleep(1.2)  # nothing refreshes the socket (its process died): Redis's clock expires it
        assert agent_status.sweep(GRACE) == [], "first seen without a socket: the grace period starts"
        clock.advance(timedelta(seconds=GRACE))
        assert agent_status.sweep(GRACE) == [str(agent["_id"])]
    finally:
        push.configure(60)


def test_pausing_needs_one_of_the_pause_reasons_and_admins_can_write_their_own(agent):
    connect(agent)
    with pytest.raises(ValidationFailed) as refused:
        agent_status.change(agent, presence.PAUSED, "Gone fishing")
    assert refused.value.fields == {"reason": "Choose one of the pause reasons."}
    assert pause_reason_names() == list(DEFAULT_PAUSE_REASONS)
    pause_reasons.create({"name": "Coaching"})
    assert pause_reason_names() == ["Coaching"]
    assert agent_status.change(agent, presence.PAUSED, "Coaching")["reason"] == "Coaching"
    with pytest.raises(ValidationFailed):
        agent_status.change(agent, "away")


def test_a_status_change_while_redis_is_down_is_refused_with_a_sentence_not_a_500(app, agent_client, agent):
    from app import queues
    from tests.support.builders import csrf_token
    from tools.devstack import free_port

    token = csrf_token(agent_client, "/desktop/")
    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        answer = agent_client.put("/api/v1/me/presence", json={"state": "offline"}, headers={"X-CSRFToken": token})
    finally:
        queues.configure(app.config["REDIS_URL"])
    assert answer.status_code == 503
    assert answer.get_json()["error"]["message"] == "Your status could not be saved just now; try again in a moment."
