"""Offers and events over real Socket.IO connections, with Redis as the message queue."""

import threading

import pytest

from app.db import get_db
from app.services.conversations import inbound, routing
from app.services.errors import Conflict
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.live_server import LiveServer
from tests.support.sockets import connect_as, wait_for


@pytest.fixture
def server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


def test_an_inbound_message_is_offered_to_the_queue_only(server, team):
    alice, bob, carol = (connect_as(server, team[name]["email"]) for name in ("alice", "bob", "carol"))
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900123", "I need help", name="Maria"))
    for client in (alice, bob):
        [offer] = client.wait_for_event("offer")
        assert offer["message"]["text"] == "I need help" and offer["interaction"]["contact"]["name"] == "Maria"
        assert offer["interaction"]["queue_name"] == team["queue"]["name"] and offer["seq"] == 1
    assert not carol.received("offer")

    interaction_id = offer["interaction_id"]
    routing.accept(team["alice"], interaction_id)
    [assigned] = bob.wait_for_event("assigned")
    assert assigned["agent"]["name"] == "Alice" and assigned["seq"] == 2
    assert not carol.received("assigned")
    for client in (alice, bob, carol):
        client.disconnect()


def test_agents_who_connect_later_get_what_is_waiting(server, team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900123", "anyone?"))
    bob = connect_as(server, team["bob"]["email"])
    [offers] = bob.wait_for_event("offers")
    assert [i["last_message"]["preview"] for i in offers["interactions"]] == ["anyone?"]
    carol = connect_as(server, team["carol"]["email"])
    assert carol.wait_for_event("offers")[0]["interactions"] == []
    bob.disconnect()
    carol.disconnect()


def test_a_rejected_offer_goes_to_the_others_and_waits_when_all_say_no(server, team):
    alice, bob = connect_as(server, team["alice"]["email"]), connect_as(server, team["bob"]["email"])
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900123", "hello"))
    interaction_id = alice.wait_for_event("offer")[0]["interaction_id"]
    routing.reject(team["alice"], interaction_id)
    assert alice.wait_for_event("offer_withdrawn")
    inbound.ingest(account, customer_says(account, "+447700900123", "still there?"))
    assert wait_for(lambda: [m for m in bob.received("message") if m["message"]["text"] == "still there?"])
    assert not [m for m in alice.received("message") if m["message"]["text"] == "still there?"]
    routing.reject(team["bob"], interaction_id)
    doc = get_db().interactions.find_one({})
    assert doc["status"] == "queued" and doc["all_rejected_at"] is not None
    assert routing.reoffer_rejected(delay_seconds=0) == 1
    assert wait_for(lambda: len(alice.received("offer")) == 2)
    alice.disconnect()
    bob.disconnect()


def test_twenty_simultaneous_accepts_have_exactly_one_winner(app):
    agents = [make_user("agent") for _ in range(20)]
    account = make_sandbox_account(make_queue([a["_id"] for a in agents]))
    inbound.ingest(account, customer_says(account, "+447700900999", "who takes me?"))
    interaction_id = get_db().interactions.find_one({})["_id"]
    barrier = threading.Barrier(20)
    outcomes = []

    def accept(agent):
        barrier.wait()
        try:
            routing.accept(agent, interaction_id)
            outcomes.append(("won", agent["_id"]))
        except Conflict as exc:
            outcomes.append(("lost", exc.message))

    threads = [threading.Thread(target=accept, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [who for result, who in outcomes if result == "won"]
    assert len(outcomes) == 20 and len(winners) == 1
    doc = get_db().interactions.find_one({"_id": interaction_id})
    assert doc["agent_id"] == winners[0] == doc["first_agent_id"]
    assert all(message.startswith("Already assigned to") for result, message in outcomes if result == "lost")


def test_a_reconnecting_client_gets_exactly_what_it_missed_in_order(server, team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900123", "first"))
    interaction = get_db().interactions.find_one({})
    routing.accept(team["alice"], interaction["_id"])
    client = connect_as(server, team["alice"]["email"])
    watching = client.client.call("watch", {"interaction_id": str(interaction["_id"])}, timeout=10)
    assert "seq" in watching, watching
    last_seen = watching["seq"]
    client.disconnect()

    for n in range(5):
        inbound.ingest(account, customer_says(account, "+447700900123", f"missed {n}"))

    client = connect_as(server, team["alice"]["email"])
    caught_up = client.client.call("sync", {"interaction_id": str(interaction["_id"]), "after_seq": last_seen}, timeout=10)
    assert [e["message"]["text"] for e in caught_up["events"]] == [f"missed {n}" for n in range(5)]
    assert [e["seq"] for e in caught_up["events"]] == list(range(last_seen + 1, last_seen + 6))
    assert caught_up["complete"] is True
    assert client.client.call("sync", {"interaction_id": str(interaction["_id"]), "after_seq": caught_up["seq"]})["events"] == []
    client.disconnect()


def test_socket_events_check_who_may_see_the_interaction(server, team):
    account = team["account"]
    inbound.ingest(account, customer_says(account, "+447700900123", "private"))
    interaction_id = str(get_db().interactions.find_one({})["_id"])
    carol = connect_as(server, team["carol"]["email"])
    assert carol.client.call("watch", {"interaction_id": interaction_id}, timeout=10)["error"] == "forbidden"
    assert carol.client.call("sync", {"interaction_id": interaction_id, "after_seq": 0}, timeout=10)["error"] == "forbidden"
    assert carol.client.call("sync", {"interaction_id": "nope"}, timeout=10)["error"] == "not_found"
    carol.disconnect()
