"""Agents reach the contacts of their queues' accounts and of interactions they can see; admins all.

Anything else answers 404, exactly as an id that does not exist, in the API and the pages.
"""

import pytest

from app.db import get_db
from app.services.contacts import contact_lists
from app.services.conversations import inbound, lifecycle, routing
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.support.builders import make_user, sign_in
from tests.support.engine import customer_says, make_queue, make_sandbox_account
from tests.support.query_shapes import embedded_only, recording, uncovered

ALICE_CUSTOMER, CAROL_CUSTOMER = "+447700900111", "+447700900222"


@pytest.fixture
def world(app):
    """Alice works queue A (account A, list A); Carol works queue B (account B, list B)."""
    alice, carol = make_user("agent", name="Alice"), make_user("agent", name="Carol")
    out = {"alice": alice, "carol": carol}
    for who, phone in (("alice", ALICE_CUSTOMER), ("carol", CAROL_CUSTOMER)):
        contact_list = contact_lists.create_list({"name": f"List of {who}"})
        account = make_sandbox_account(make_queue([out[who]["_id"]]), allow_transfer=True)
        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"contact_list_id": contact_list["_id"]}})
        account["contact_list_id"] = contact_list["_id"]
        inbound.ingest(account, customer_says(account, phone, "hello", name=f"Customer of {who}"))
        out[f"{who}_list"] = contact_list
        out[f"{who}_contact"] = get_db().contacts.find_one({"list_id": contact_list["_id"]})
        out[f"{who}_interaction"] = get_db().interactions.find_one({"account_id": account["_id"]})
    return out


def api_of(client, user):
    return Api(client, api_tokens.create_token(user["_id"], "tests")[0])


def listed_ids(api, query=""):
    return {row["id"] for row in api.get(f"/contacts{query}").get_json()["data"]}


def test_an_agent_of_another_queue_gets_404_as_for_a_missing_contact(client, world):
    carol = api_of(client, world["carol"])
    foreign = str(world["alice_contact"]["_id"])
    missing = carol.get("/contacts/0123456789abcdef01234567")
    for response in (carol.get(f"/contacts/{foreign}"), carol.patch(f"/contacts/{foreign}", {"company": "Mine now"})):
        assert response.status_code == 404
        assert response.get_json() == missing.get_json()
    assert get_db().contacts.find_one({"_id": world["alice_contact"]["_id"]})["company"] == ""


def test_agents_list_and_search_only_their_contacts(client, world):
    alice, carol = api_of(client, world["alice"]), api_of(client, world["carol"])
    assert listed_ids(carol) == {str(world["carol_contact"]["_id"])}
    assert listed_ids(carol, "?search=900111") == set()
    assert listed_ids(carol, f"?list_id={world['alice_list']['_id']}") == set()
    assert listed_ids(alice, "?search=900111") == {str(world["alice_contact"]["_id"])}
    response = alice.patch(f"/contacts/{world['alice_contact']['_id']}", {"company": "ACME"})
    assert response.status_code == 200 and response.get_json()["company"] == "ACME"


def test_admins_see_every_contact(api, world):
    assert listed_ids(api) == {str(world["alice_contact"]["_id"]), str(world["carol_contact"]["_id"])}
    assert api.patch(f"/contacts/{world['alice_contact']['_id']}", {"company": "HQ"}).status_code == 200


def test_an_interaction_transferred_in_brings_its_customer(client, world):
    routing.accept(world["alice"], world["alice_interaction"]["_id"])
    lifecycle.transfer(world["alice"], world["alice_interaction"]["_id"], to_agent_id=str(world["carol"]["_id"]))
    carol = api_of(client, world["carol"])
    contact_id = str(world["alice_contact"]["_id"])
    assert carol.get(f"/contacts/{contact_id}").status_code == 200
    assert carol.patch(f"/contacts/{contact_id}", {"first_name": "Maria"}).status_code == 200
    assert contact_id in listed_ids(carol, "?search=900111")


def test_agents_see_only_their_contact_lists(client, api, world):
    carol = api_of(client, world["carol"])
    assert [row["id"] for row in carol.get("/contact-lists").get_json()["data"]] == [str(world["carol_list"]["_id"])]
    assert carol.get(f"/contact-lists/{world['alice_list']['_id']}").status_code == 404
    assert carol.get(f"/contact-lists/{world['carol_list']['_id']}").status_code == 200
    assert len(api.get("/contact-lists").get_json()["data"]) == 2


def test_agents_add_contacts_only_to_their_lists(client, world):
    carol = api_of(client, world["carol"])
    refused = carol.post("/contacts", {"list_id": str(world["alice_list"]["_id"]), "phone": "+15550009999"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["list_id"].startswith("No such contact list")
    assert get_db().contacts.count_documents({"phone": "+15550009999"}) == 0
    assert carol.post("/contacts", {"list_id": str(world["carol_list"]["_id"]), "phone": "+15550009999"}).status_code == 201


def test_the_contact_pages_follow_the_same_rule(app, world):
    carol = app.test_client()
    sign_in(carol, world["carol"]["email"])
    page = carol.get("/contacts/").get_data(as_text=True)
    assert CAROL_CUSTOMER in page and ALICE_CUSTOMER not in page
    assert carol.get(f"/contacts/{world['alice_contact']['_id']}/edit").status_code == 404
    assert carol.get(f"/contacts/{world['carol_contact']['_id']}/edit").status_code == 200
    form = carol.get("/contacts/new").get_data(as_text=True)
    assert world["carol_list"]["name"] in form and world["alice_list"]["name"] not in form


@embedded_only
def test_the_scoped_queries_are_index_backed(client, world):
    routing.accept(world["alice"], world["alice_interaction"]["_id"])
    lifecycle.transfer(world["alice"], world["alice_interaction"]["_id"], to_agent_id=str(world["carol"]["_id"]))
    carol = api_of(client, world["carol"])
    with recording({"contacts", "contact_lists", "accounts", "interactions", "queues"}) as shapes:
        listed_ids(carol, "?search=9001")
        carol.get(f"/contacts/{world['alice_contact']['_id']}")
        carol.post("/contacts", {"list_id": str(world["carol_list"]["_id"]), "phone": "+15550009998"})
    assert shapes and uncovered(shapes) == []
