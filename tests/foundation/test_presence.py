"""Presence expires: a web process keeps its sockets online with a heartbeat, and the sockets of a
process that died stop counting (and stop getting offers) once the TTL has passed, when the Redis
keys that listed them are gone too."""

import time

import pytest

from app import queues
from app.realtime import push
from app.realtime.push import online_user_ids
from app.services.conversations import routing
from app.services.demo import DEMO_PASSWORD
from app.services.setup import queue_admin
from tests.support import processes
from tests.support.http import cookie_header, signed_in_session
from tests.support.sockets import RecordingClient, connect_as, wait_for
from tools.devstack import free_port

TTL = 2


@pytest.fixture
def config(config):
    config.PARLEY_PRESENCE_TTL_SECONDS = TTL
    return config


def online_throughout(user_id, seconds):
    """True if the user is online at every look during `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if user_id not in online_user_ids():
            return False
        time.sleep(0.1)
    return True


def test_a_socket_stays_online_past_the_ttl_while_its_process_heartbeats(live_server, agent):
    client = connect_as(live_server, agent["email"])
    assert online_throughout(str(agent["_id"]), TTL * 2), "the heartbeat did not keep the open socket online"
    client.disconnect()
    assert wait_for(lambda: str(agent["_id"]) not in online_user_ids(), timeout=TTL + 2)


def test_the_sockets_of_a_dead_process_go_offline_after_the_ttl_and_get_no_offers(live_server, make_user):
    alive, orphaned = make_user("agent"), make_user("agent")
    queue = queue_admin.create_queue({"name": "Support", "agent_ids": [str(alive["_id"]), str(orphaned["_id"])]})
    interaction = {"queue_id": queue["_id"], "rejected_by": []}
    client = connect_as(live_server, alive["email"])  # this process heartbeats meanwhile
    # What a process killed with SIGKILL leaves behind: its socket's entry, refreshed by nobody.
    push.mark_online(str(orphaned["_id"]), "sid-of-a-killed-process")
    assert set(routing.offer_targets(interaction)) == {str(alive["_id"]), str(orphaned["_id"])}

    assert wait_for(lambda: str(orphaned["_id"]) not in online_user_ids(), timeout=TTL + 1)
    assert routing.offer_targets(interaction) == [str(alive["_id"])]
    client.disconnect()


def test_closing_one_of_a_users_sockets_keeps_them_online(live_server, agent):
    user_id = str(agent["_id"])
    first, second = connect_as(live_server, agent["email"]), connect_as(live_server, agent["email"])
    first.disconnect()
    assert online_throughout(user_id, TTL * 1.5)
    second.disconnect()
    assert wait_for(lambda: user_id not in online_user_ids(), timeout=TTL + 2)


def test_presence_reads_empty_and_heartbeats_carry_on_while_redis_is_down(app, caplog):
    queues.configure(f"redis://127.0.0.1:{free_port()}")
    try:
        assert online_user_ids() == set()
        push.keep_online([("a-sid", "a-user")])
    finally:
        queues.configure(app.config["REDIS_URL"])
    assert "presence unavailable" in caplog.text and "presence not refreshed" in caplog.text


def _presence_keys():
    return {key.decode() for key in queues.get_redis().scan_iter("parley:presence:*")}


def _owner_of(sid):
    """The user whose per-user presence set lists socket `sid` (None if none does yet); other live
    processes of the suite may list their own users in the same Redis meanwhile."""
    for key in _presence_keys():
        if key.startswith("parley:presence:user:") and sid in push.user_sids(key.rsplit(":", 1)[1]):
            return key.rsplit(":", 1)[1]
    return None


def _keys_of(user_id):
    """Presence keys of this user's own (the per-user set of their sockets)."""
    return {key for key in _presence_keys() if key.endswith(user_id)}


def test_a_killed_web_process_leaves_nothing_in_redis_and_the_live_sockets_stay(live_server, agent, redis_url, tmp_path):
    user_id = str(agent["_id"])
    for key in _presence_keys():  # what earlier tests' processes left in this suite's Redis expires on its own time
        queues.get_redis().delete(key)
    live = connect_as(live_server, agent["email"])
    [live_sid] = push.user_sids(user_id)
    # The same user's socket on a process that died: listed and online, refreshed by nobody.
    push.list_socket(user_id, "sid-of-a-killed-process")
    push.mark_online(user_id, "sid-of-a-killed-process")
    killed = processes.WebProcess(tmp_path, "eventlet", redis_url, PARLEY_PRESENCE_TTL_SECONDS=str(TTL))
    try:
        assert wait_for(killed.up, timeout=60), killed.log
        session = signed_in_session(killed.url, "admin@parley.example", DEMO_PASSWORD)
        its_socket = RecordingClient(killed.url, cookie_header(session)).connect()
        its_sid = its_socket.client.get_sid("/")
        assert wait_for(lambda: _owner_of(its_sid)), "the killed process's socket is listed"
        killed_user = _owner_of(its_sid)
        assert {user_id, killed_user} <= online_user_ids()
        killed.kill()
        its_socket.disconnect()

        assert wait_for(lambda: not _keys_of(killed_user), timeout=TTL + 2), "the killed process's keys expire"
        assert wait_for(lambda: push.user_sids(user_id) == [live_sid], timeout=TTL + 2)
        assert user_id in online_user_ids() and killed_user not in online_user_ids()
        assert online_throughout(user_id, TTL), "the heartbeat keeps the live socket online"
        assert push.user_sids(user_id) == [live_sid]
    finally:
        killed.kill()
    live.disconnect()
    assert wait_for(lambda: not _keys_of(user_id), timeout=TTL + 2), "nothing is left behind"
