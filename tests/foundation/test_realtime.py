"""Socket.IO over a real server and real clients, with Redis as the message queue."""

import pytest
import socketio

from app.realtime import agent_room, disconnect_user, emit, online_user_ids
from tests.support.live_server import LiveServer
from tests.support.sockets import RecordingClient, connect_as, wait_for


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
