"""Ending sign-ins closes the user's open sockets, from any process, and a saved cookie can
no longer open one."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import socketio

from app.services import agents
from tests.support.http import cookie_header, signed_in_session
from tests.support.live_server import LiveServer
from tests.support.sockets import RecordingClient, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


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
        "import sys; from app import create_app; from app import realtime; "
        "create_app('testing'); realtime.disconnect_user(sys.argv[1])"
    )
    env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing"}
    subprocess.run([sys.executable, "-c", script, str(agent["_id"])], cwd=ROOT, env=env, check=True, timeout=60)
    assert wait_for(lambda: not client.connected), "a sign-out in another process left this process's socket open"
    assert client.received("session_ended")
