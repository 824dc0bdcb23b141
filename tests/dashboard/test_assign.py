"""An admin moves a waiting interaction to an agent of its queue: the atomic assignment, its refusals,
its races with another admin and with an agent's accept, the REST API and the live event."""

import threading

import pytest

from app.db import get_db
from app.services.conversations import lifecycle, routing
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.people import api_tokens
from app.services.routing import moves
from tests.api.test_openapi_agreement import problems, resolve
from tests.interactions.support import says
from tests.support.builders import csrf_token, make_user, sign_in
from tests.support.engine import stored_messages
from tests.support.live_server import LiveServer
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.support.sockets import connect_as


def test_the_admin_gives_the_waiting_interaction_to_an_agent_of_its_queue(team):
    waiting = says(team["account"], "+447700900601", "hello?")
    doc = moves.assign(team["admin"], str(waiting["_id"]), str(team["bob"]["_id"]))
    assert (doc["status"], doc["agent_id"], doc["agent_name"]) == ("open", team["bob"]["_id"], "Bob")
    stored = get_db().interactions.find_one({"_id": waiting["_id"]})
    assert (stored["status"], stored["agent_id"], stored["first_agent_id"]) == ("open", team["bob"]["_id"], team["bob"]["_id"])
    assert stored["accepted_by"] == {"id": team["bob"]["_id"], "name": "Bob"} and stored["accepted_at"] is not None
    assert stored_messages(waiting["_id"])[-1]["text"] == "Assigned to Bob by Ada"
    assert stored["seq"] == waiting["seq"] + 1


def test_what_cannot_be_assigned_says_why(team):
    waiting = says(team["account"], "+447700900611", "hello?")
    iid, alice = str(waiting["_id"]), str(team["alice"]["_id"])
    with pytest.raises(Forbidden):
        moves.assign(team["alice"], iid, alice)
    for agent_id, why in ((str(team["carol"]["_id"]), "another queue's agent"), ("nope", "not an id"), ("", "none")):
        with pytest.raises(ValidationFailed) as refused:
            moves.assign(team["admin"], iid, agent_id)
        assert "agent_id" in refused.value.fields, why
    gone = make_user("agent", name="Gone")
    get_db().queues.update_one({"_id": team["queue"]["_id"]}, {"$push": {"agent_ids": gone["_id"]}})
    get_db().users.update_one({"_id": gone["_id"]}, {"$set": {"active": False}})
    with pytest.raises(ValidationFailed):
        moves.assign(team["admin"], iid, str(gone["_id"]))
    with pytest.raises(NotFound):
        moves.assign(team["admin"], "0" * 24, alice)
    routing.accept(team["bob"], iid)
    with pytest.raises(Conflict, match="already assigned to Bob"):
        moves.assign(team["admin"], iid, alice)
    lifecycle.close(team["bob"], iid)
    with pytest.raises(Conflict, match="closed"):
        moves.assign(team["admin"], iid, alice)


def race(*attempts):
    """Run the attempts at the same moment; each outcome is "won" or the Conflict's message."""
    barrier = threading.Barrier(len(attempts))
    outcomes = [None] * len(attempts)

    def run(n, attempt):
        barrier.wait()
        try:
            attempt()
            outcomes[n] = "won"
        except Conflict as exc:
            outcomes[n] = exc.message

    threads = [threading.Thread(target=run, args=(n, attempt)) for n, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_admins_assigning_at_once_one_wins_the_other_is_told(team):
    other_admin = make_user("admin", name="Otto")
    for n in range(10):
        iid = str(says(team["account"], f"+4477009006{20 + n}", "hello?")["_id"])
        outcomes = race(
            lambda iid=iid: moves.assign(team["admin"], iid, str(team["alice"]["_id"])),
            lambda iid=iid: moves.assign(other_admin, iid, str(team["bob"]["_id"])),
        )
        assert outcomes.count("won") == 1, outcomes
        doc = get_db().interactions.find_one({"contact.phone": f"+4477009006{20 + n}"})
        winner = "Alice" if outcomes[0] == "won" else "Bob"
        assert doc["agent_name"] == winner
        assert [o for o in outcomes if o != "won"] == [f"No longer waiting: already assigned to {winner}."]
        lines = [m["text"] for m in stored_messages(doc["_id"]) if m["direction"] == "system"]
        assert len(lines) == 1


def test_an_agent_accepting_while_an_admin_assigns_one_wins(team):
    for n in range(10):
        iid = str(says(team["account"], f"+4477009006{40 + n}", "hello?")["_id"])
        accepted, assigned = race(
            lambda iid=iid: routing.accept(team["alice"], iid),
            lambda iid=iid: moves.assign(team["admin"], iid, str(team["bob"]["_id"])),
        )
        assert [accepted, assigned].count("won") == 1, (accepted, assigned)
        doc = get_db().interactions.find_one({"contact.phone": f"+4477009006{40 + n}"})
        assert doc["agent_name"] == ("Alice" if accepted == "won" else "Bob") and doc["first_agent_id"] == doc["agent_id"]


def as_documented(document, operation, response):
    """A documented status, and a body the schema allows (an interaction carries more than it documents)."""
    documented = resolve(document, operation["responses"].get(str(response.status_code), {}))
    if not documented:
        return [f"status {response.status_code} is not documented"]
    return problems(document, response.get_json(), documented["content"]["application/json"]["schema"], strict=False)


def test_the_rest_api_assigns_for_admins_only(app, client, team):
    waiting = says(team["account"], "+447700900661", "hello?")
    admin_token = api_tokens.create_token(team["admin"]["_id"], "tests")[0]
    agent_token = api_tokens.create_token(team["alice"]["_id"], "tests")[0]
    path = f"/api/v1/interactions/{waiting['_id']}/assign"
    body = {"agent_id": str(team["alice"]["_id"])}
    refused = client.post(path, json=body, headers={"Authorization": f"Bearer {agent_token}"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    wrong = client.post(path, json={"agent_id": str(team["carol"]["_id"])}, headers={"Authorization": f"Bearer {admin_token}"})
    assert wrong.status_code == 422 and "agent_id" in wrong.get_json()["error"]["fields"]
    done = client.post(path, json=body, headers={"Authorization": f"Bearer {admin_token}"})
    assert done.status_code == 200
    document = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {admin_token}"}).get_json()
    operation = document["paths"]["/api/v1/interactions/{interaction_id}/assign"]["post"]
    for answer in (done, wrong, refused):
        assert as_documented(document, operation, answer) == []
    assert (done.get_json()["interaction"]["status"], done.get_json()["interaction"]["agent_name"]) == ("open", "Alice")
    again = client.post(path, json=body, headers={"Authorization": f"Bearer {admin_token}"})
    assert again.status_code == 409 and "already assigned to Alice" in again.get_json()["error"]["message"]
    assert as_documented(document, operation, again) == []


def test_the_page_assigns_with_its_session_and_csrf_token(app, team):
    waiting = says(team["account"], "+447700900671", "hello?")
    browser = app.test_client()
    sign_in(browser, team["admin"]["email"])
    path = f"/api/v1/interactions/{waiting['_id']}/assign"
    body = {"agent_id": str(team["bob"]["_id"])}
    assert browser.post(path, json=body).status_code == 400  # no CSRF token: refused
    token = csrf_token(browser, "/dashboard/")
    assert browser.post(path, json=body, headers={"X-CSRFToken": token}).status_code == 200


def test_the_assigned_agent_and_the_previous_offer_targets_hear_it_live(app, team):
    server = LiveServer(app).start()
    try:
        alice, bob = connect_as(server, team["alice"]["email"]), connect_as(server, team["bob"]["email"])
        admin = connect_as(server, team["admin"]["email"])
        waiting = says(team["account"], "+447700900681", "hello?")
        assert alice.wait_for_event("offer") and bob.wait_for_event("offer")
        moves.assign(team["admin"], str(waiting["_id"]), str(team["alice"]["_id"]))
        [mine] = alice.wait_for_event("assigned")
        assert mine["agent"] == {"id": str(team["alice"]["_id"]), "name": "Alice"}
        assert mine["interaction"]["status"] == "open" and mine["message"]["text"] == "Assigned to Alice by Ada"
        assert bob.wait_for_event("assigned")[0]["agent"]["name"] == "Alice"
        assert admin.wait_for_event("assigned")[0]["interaction_id"] == str(waiting["_id"])
        for socket in (alice, bob, admin):
            socket.disconnect()
    finally:
        server.stop()


@embedded_only
def test_assigning_reads_through_declared_indexes(team):
    waiting = says(team["account"], "+447700900691", "hello?")
    with recording({"interactions", "users", "queues", "messages"}) as shapes:
        moves.assign(team["admin"], str(waiting["_id"]), str(team["alice"]["_id"]))
        with pytest.raises(Conflict):
            moves.assign(team["admin"], str(waiting["_id"]), str(team["alice"]["_id"]))
    assert uncovered(shapes) == []
