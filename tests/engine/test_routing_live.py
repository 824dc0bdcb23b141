"""Routing over a live server: real Redis, the embedded workers and their periodic routing tick, two
agents' and an admin's Socket.IO clients, presence set through the REST API as the desktop does."""

from datetime import timedelta

import pytest

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound
from app.services.setup import queue_admin
from tests.support.builders import make_user
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.http import api_caller, signed_in_session
from tests.support.sockets import connect_as, wait_for

GRACE = 2


@pytest.fixture
def desk(app, live_server):
    app.config["PARLEY_PRESENCE_GRACE_SECONDS"] = GRACE
    ana, ben = make_user("agent", name="Ana"), make_user("agent", name="Ben")
    admin = make_user("admin", name="Sue")
    queue = make_queue([ana["_id"], ben["_id"]])
    queue_admin.update_queue(str(queue["_id"]), {"routing": {"strategy": "round_robin", "offer_timeout_seconds": 5}})
    sockets = {name: connect_as(live_server, user["email"]) for name, user in (("ana", ana), ("ben", ben), ("admin", admin))}
    yield {"ana": ana, "ben": ben, "account": make_sandbox_account(queue), "sockets": sockets, "server": live_server}
    for client in sockets.values():
        client.disconnect()
    clock.reset()


def offers_to(client, interaction_id):
    """Whom each "offer" event this client heard about the interaction was for, in order."""
    return [e["offered_to"] for e in client.received("offer") if e["interaction_id"] == interaction_id]


def api(server, user):
    return api_caller(signed_in_session(server.url, user["email"]), server.url)


def test_an_offer_goes_to_one_agent_times_out_to_the_next_and_a_pause_or_disconnect_moves_it_on(desk):
    ana, ben, sockets, server = desk["ana"], desk["ben"], desk["sockets"], desk["server"]
    inbound.ingest(desk["account"], customer_says(desk["account"], "+447700900001", "Hello"))
    interaction_id = str(get_db().interactions.find_one({})["_id"])
    ana_id, ben_id = str(ana["_id"]), str(ben["_id"])

    assert wait_for(lambda: offers_to(sockets["ana"], interaction_id)) == [[ana_id]]
    assert offers_to(sockets["ben"], interaction_id) == [], "one agent at a time"

    clock.advance(timedelta(seconds=6))  # Ana let it ring: the periodic tick moves it on
    assert wait_for(lambda: offers_to(sockets["ben"], interaction_id), timeout=15) == [[ben_id]]
    assert wait_for(lambda: [ben_id] in offers_to(sockets["ana"], interaction_id)), "Ana's card goes"

    ben_api = api(server, ben)
    assert ben_api("POST", f"/interactions/{interaction_id}/reject", {}).status_code == 200
    assert wait_for(lambda: offers_to(sockets["ana"], interaction_id)[-1:] == [[ana_id]]), "a rejection moves it at once"

    ana_api = api(server, ana)
    answer = ana_api("PUT", "/me/presence", {"state": "paused", "reason": "Lunch"})
    assert answer.status_code == 200 and answer.json()["label"] == "Paused · Lunch"
    heard = wait_for(lambda: [e for e in sockets["admin"].received("agent_state") if e["state"] == "paused"])
    assert heard[-1]["agent_id"] == ana_id and heard[-1]["reason"] == "Lunch"
    assert wait_for(lambda: [e for e in sockets["ana"].received("offers") if e["interactions"] == []])
    withdrawn = wait_for(lambda: [e for e in sockets["ana"].received("offer_withdrawn") if e["interaction_id"] == interaction_id])
    assert withdrawn[-1]["agent_id"] == ana_id, "Ben rejected it, Ana paused: nobody holds it"

    refused = ana_api("PUT", "/me/presence", {"state": "paused", "reason": "Nap"})
    assert refused.status_code == 422 and refused.json()["error"]["fields"] == {"reason": "Choose one of the pause reasons."}

    assert ana_api("PUT", "/me/presence", {"state": "online"}).status_code == 200
    assert wait_for(lambda: offers_to(sockets["ana"], interaction_id)[-1:] == [[ana_id]]), "back Online: offered again"

    sockets["ana"].disconnect()  # her browser closed: after the grace period she is Offline
    offline = wait_for(lambda: [e for e in sockets["admin"].received("agent_state") if e["state"] == "offline"], timeout=15)
    assert offline[-1]["agent_id"] == ana_id
    assert ana_api("GET", "/me/presence").json()["state"] == "offline"
    doc = get_db().interactions.find_one({"_id": get_db().interactions.find_one({})["_id"]})
    assert doc["status"] == "queued" and doc.get("offer") is None, "nobody available: it waits, offered to no one"
