"""Socket.IO over a real server and real clients, with Redis as the message queue; ending a
user's sign-ins closes their open sockets, from any process, and a saved cookie opens no new one."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import socketio

from app.realtime.push import agent_room, disconnect_user, emit, online_user_ids
from app.services.people import agents
from tests.support.http import cookie_header, signed_in_session
from tests.support.live_server import LiveServer
from tests.support.sockets import RecordingClient, connect_as, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


def test_anonymous_sockets_are_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        RecordingClient(server.url).connect()


def test_signed_in_agent_joins_their_room_and_is_online(server, agent):
    client = connect_as(server, agent["email"])
    assert client.wait_for_event("welcome")[0]["user"]["id"] == str(agent["_id"])
    assert str(agent["_id"]) in online_user_ids()
    emit("ping", {"n": 1}, agent_room(agent["_id"]))
    assert client.wait_for_event("ping") == [{"n": 1}]
    client.disconnect()
    assert wait_for(lambda: str(agent["_id"]) not in online_user_ids())


def test_events_for_one_agent_do_not_reach_another(server, make_user):
    first, second = make_user("agent"), make_user("agent")
    c1, c2 = connect_as(server, first["email"]), connect_as(server, second["email"])
    emit("ping", {"for": "first"}, agent_room(first["_id"]))
    emit("pong", {"for": "second"}, agent_room(second["_id"]))
    assert c1.wait_for_event("ping") and c2.wait_for_event("pong")
    assert not c2.received("ping") and not c1.received("pong")
    c1.disconnect()
    c2.disconnect()


def test_disconnect_user_closes_their_sockets(server, agent):
    client = connect_as(server, agent["email"])
    assert client.connected
    disconnect_user(str(agent["_id"]))
    assert wait_for(lambda: not client.connected)


def open_socket(server, email):
    session = signed_in_session(server.url, email)
    client = RecordingClient(server.url, cookie_header(session)).connect()
    assert client.wait_for_event("welcome")
    return session, client


def refused(server, cookie):
    with pytest.raises(socketio.exceptions.ConnectionError):
        RecordingClient(server.url, cookie).connect()
    return True


def test_sign_out_closes_open_sockets_and_a_saved_cookie_cannot_open_another(server, agent):
    session, client = open_socket(server, agent["email"])
    saved = cookie_header(session)
    html = session.get(f"{server.url}/contacts/", timeout=10).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    session.post(f"{server.url}/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10)
    assert wait_for(lambda: not client.connected), "the open socket stayed connected after sign-out"
    assert client.received("session_ended"), "the page is told why, so it goes to the sign-in page"
    assert refused(server, saved)


@pytest.mark.parametrize(
    "change",
    [{"password": "a-brand-new-secret-77"}, {"role": "admin"}, {"active": False}],
    ids=["password", "role", "deactivated"],
)
def test_an_admins_change_closes_the_users_open_sockets(server, agent, change):
    session, client = open_socket(server, agent["email"])
    agents.update_user(agent["_id"], change)
    assert wait_for(lambda: not client.connected)
    assert refused(server, cookie_header(session))


def test_sockets_held_by_another_process_are_closed_through_the_message_queue(server, agent, redis_url):
    _, client = open_socket(server, agent["email"])
    script = (
        "import sys; from app import create_app; from app.realtime import push; "
        "create_app('testing'); push.disconnect_user(sys.argv[1])"
    )
    env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing"}
    subprocess.run([sys.executable, "-c", script, str(agent["_id"])], cwd=ROOT, env=env, check=True, timeout=60)
    assert wait_for(lambda: not client.connected), "a sign-out in another process left this process's socket open"
    assert client.received("session_ended")


def test_a_sign_out_between_the_session_check_and_the_socket_listing_still_refuses_it(server, agent, monkeypatch):
    """The race disconnect_user cannot see: the session was checked before the sign-out, the socket
    listed after disconnect_user read the list. The connect looks at the session version again."""
    from app.services.people import sessions, users

    session = signed_in_session(server.url, agent["email"])
    read_user = users.get_user
    calls = []

    def sign_out_after_the_first_read(user_id):
        calls.append(user_id)
        doc = read_user(user_id)
        if len(calls) == 1:  # the connect's session check has its document: the user signs out elsewhere now
            sessions.end_all(user_id)
        return doc

    monkeypatch.setattr(users, "get_user", sign_out_after_the_first_read)
    assert refused(server, cookie_header(session))
    assert str(agent["_id"]) not in online_user_ids()
