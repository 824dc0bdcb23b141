"""Whoever loses access to an interaction leaves its Socket.IO room at once, on any web process."""

import subprocess
import sys
import uuid

import pytest

from app.db import get_db
from app.realtime.push import agent_room, emit
from app.services.conversations import inbound, lifecycle, routing
from app.services.conversations.live import interaction_room
from app.services.setup import queue_admin
from tests.support.builders import make_user
from tests.support.live_server import LiveServer
from tests.support.sockets import connect_as, wait_for

CUSTOMER = "+447700900123"


@pytest.fixture
def server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def conversation(team):
    """An interaction of the team's queue, accepted by Alice."""
    from tests.support.engine import customer_says

    account = team["account"]
    inbound.ingest(account, customer_says(account, CUSTOMER, "hello"))
    interaction = get_db().interactions.find_one({})
    routing.accept(team["alice"], interaction["_id"])

    def customer(text):
        inbound.ingest(account, customer_says(account, CUSTOMER, text))

    return interaction["_id"], customer


def watching(client, interaction_id):
    answer = client.client.call("watch", {"interaction_id": str(interaction_id)}, timeout=10)
    assert "seq" in answer, answer
    return client


def texts(client):
    return [event["message"]["text"] for event in client.received("message")]


def settled(client, user_id):
    """Wait until everything emitted so far has reached `client`: a marker sent now arrives last."""
    marker = uuid.uuid4().hex
    emit("marker", {"id": marker}, agent_room(user_id))
    assert wait_for(lambda: {"id": marker} in client.received("marker"))


def unheard(client, user, customer, text):
    """True when the customer says `text` and `client` (a socket of `user`) does not receive it."""
    customer(text)
    settled(client, user["_id"])
    return text not in texts(client)


def test_a_transfer_to_another_queue_takes_the_old_queue_out_of_the_room(server, team, admin, conversation):
    interaction_id, customer = conversation
    other_queue = get_db().queues.find_one({"agent_ids": team["carol"]["_id"]})
    alice, bob, boss = (watching(connect_as(server, u["email"]), interaction_id) for u in (team["alice"], team["bob"], admin))
    customer("before")
    assert wait_for(lambda: "before" in texts(alice) and "before" in texts(bob))

    lifecycle.transfer(team["alice"], interaction_id, to_queue_id=str(other_queue["_id"]))
    assert alice.wait_for_event("transferred")
    customer("after")
    assert wait_for(lambda: "after" in texts(boss))
    settled(alice, team["alice"]["_id"])
    settled(bob, team["bob"]["_id"])
    assert "after" not in texts(alice) and "after" not in texts(bob)
    assert alice.client.call("watch", {"interaction_id": str(interaction_id)})["error"] == "forbidden"
    for client in (alice, bob, boss):
        client.disconnect()


def test_a_transfer_to_a_colleague_of_the_queue_keeps_the_queue_watching(server, team, conversation):
    interaction_id, customer = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    lifecycle.transfer(team["alice"], interaction_id, to_agent_id=str(team["bob"]["_id"]))
    alice = watching(connect_as(server, team["alice"]["email"]), interaction_id)  # still in the queue
    customer("still here")
    assert wait_for(lambda: "still here" in texts(alice) and "still here" in texts(bob))
    alice.disconnect()
    bob.disconnect()


def test_an_agent_transferred_in_from_another_queue_leaves_when_the_interaction_moves_on(server, team, conversation):
    interaction_id, customer = conversation
    lifecycle.transfer(team["alice"], interaction_id, to_agent_id=str(team["carol"]["_id"]))
    carol = watching(connect_as(server, team["carol"]["email"]), interaction_id)
    lifecycle.transfer(team["carol"], interaction_id, to_agent_id=str(team["bob"]["_id"]))
    assert unheard(carol, team["carol"], customer, "for bob")
    carol.disconnect()


def test_an_agent_removed_from_the_queue_stops_receiving_at_once(server, team, conversation):
    interaction_id, customer = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    alice = watching(connect_as(server, team["alice"]["email"]), interaction_id)
    queue_admin.update_queue(team["queue"]["_id"], {"agent_ids": [str(team["alice"]["_id"])]})
    assert wait_for(lambda: len(bob.received("offers")) == 2)  # the offers shown at connect are refreshed
    customer("only for alice")
    assert wait_for(lambda: "only for alice" in texts(alice))
    settled(bob, team["bob"]["_id"])
    assert "only for alice" not in texts(bob)
    alice.disconnect()
    bob.disconnect()


def test_closing_changes_nobody_s_access(server, team, conversation):
    interaction_id, _ = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    lifecycle.close(team["alice"], interaction_id)
    alice = watching(connect_as(server, team["alice"]["email"]), interaction_id)  # reads what she closed
    lifecycle.add_note(team["bob"], interaction_id, "follow-up noted")
    assert wait_for(lambda: "follow-up noted" in texts(alice) and "follow-up noted" in texts(bob))
    alice.disconnect()
    bob.disconnect()


def test_an_eviction_reaches_a_socket_held_by_another_process(server, team, conversation, redis_url):
    interaction_id, customer = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    other_process = (
        "import sys\n"
        "from app import create_app\nfrom app.realtime import push\n"
        "from config import TestingConfig\n"
        "config = TestingConfig()\n"
        "config.REDIS_URL = sys.argv[1]\n"
        "with create_app(config).app_context():\n"
        "    push.evict(sys.argv[2], [sys.argv[3]])\n"
    )
    subprocess.run(
        [sys.executable, "-c", other_process, redis_url, str(team["bob"]["_id"]), interaction_room(interaction_id)],
        check=True,
        timeout=60,
    )
    assert wait_for(lambda: not server.app.extensions["socketio"].server.manager.rooms["/"].get(interaction_room(interaction_id)))
    assert unheard(bob, team["bob"], customer, "unheard")
    bob.disconnect()


def test_a_new_agent_of_the_queue_can_watch(server, team, conversation):
    interaction_id, customer = conversation
    dave = make_user("agent", name="Dave")
    queue_admin.update_queue(team["queue"]["_id"], {"agent_ids": [str(team["alice"]["_id"]), str(dave["_id"])]})
    client = watching(connect_as(server, dave["email"]), interaction_id)
    customer("welcome dave")
    assert wait_for(lambda: "welcome dave" in texts(client))
    client.disconnect()


def test_a_reopen_by_a_colleague_takes_out_the_agent_from_another_queue(server, team, conversation):
    interaction_id, customer = conversation
    lifecycle.transfer(team["alice"], interaction_id, to_agent_id=str(team["carol"]["_id"]))
    lifecycle.close(team["carol"], interaction_id)
    carol = watching(connect_as(server, team["carol"]["email"]), interaction_id)  # she reads what she closed
    lifecycle.reopen(team["bob"], interaction_id)
    assert unheard(carol, team["carol"], customer, "bob has it now")
    carol.disconnect()


def test_a_socket_that_was_away_when_told_learns_why_when_it_watches_again(server, team, conversation):
    """The desktop's socket reconnected after the eviction's notice went out: its watch is refused
    with the reason, not with a bare refusal."""
    interaction_id, _ = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    queue_admin.update_queue(team["queue"]["_id"], {"agent_ids": [str(team["alice"]["_id"])]})
    bob.disconnect()  # the desktop's connection dropped: whether the notice reached it or not
    back = connect_as(server, team["bob"]["email"])
    answer = back.client.call("watch", {"interaction_id": str(interaction_id)}, timeout=10)
    assert answer["error"] == "forbidden" and answer["reason"] == "Your queues changed"
    carol = connect_as(server, team["carol"]["email"])  # never evicted from it: a bare refusal
    assert "reason" not in carol.client.call("watch", {"interaction_id": str(interaction_id)}, timeout=10)
    back.disconnect()
    carol.disconnect()


def test_a_socket_away_when_the_queues_changed_learns_why_when_it_watches_again(server, team, conversation):
    """The desktop's socket had dropped before the change (it held no room to be taken out of): its
    watch after reconnecting is refused with the reason all the same."""
    interaction_id, _ = conversation
    bob = watching(connect_as(server, team["bob"]["email"]), interaction_id)
    bob.disconnect()
    queue_admin.update_queue(team["queue"]["_id"], {"agent_ids": [str(team["alice"]["_id"])]})
    back = connect_as(server, team["bob"]["email"])
    answer = back.client.call("watch", {"interaction_id": str(interaction_id)}, timeout=10)
    assert answer["error"] == "forbidden" and answer["reason"] == "Your queues changed"
    back.disconnect()
