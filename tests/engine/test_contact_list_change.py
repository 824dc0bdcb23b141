"""An admin changes the contact list an account files new contacts in: conversations already open
(or waiting for the answer to a recontact template) go on with their contact; only new ones use
the new list."""

import pytest

from app.db import get_db
from app.providers import sandbox
from app.services.contacts import contact_lists
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.engine.helpers import make_template
from tests.support.builders import make_user
from tests.support.engine import stored_messages
from tests.webhooks.support import post_events

CUSTOMER = "+447700900321"


@pytest.fixture
def apis(client, team):
    token = api_tokens.create_token
    return {
        "admin": Api(client, token(make_user("admin")["_id"], "tests")[0]),
        "alice": Api(client, token(team["alice"]["_id"], "tests")[0]),
    }


def customer_says(client, team, text):
    response = post_events(client, team["account"], sandbox.build_inbound(CUSTOMER, text=text, name="Maria Rossi"))
    assert response.status_code == 200 and response.applied == {"stored": 1}, response.get_json()


def move_new_contacts_to(apis, team, name):
    new_list = contact_lists.create_list({"name": name})
    response = apis["admin"].patch(f"/accounts/{team['account']['_id']}", json={"contact_list_id": str(new_list["_id"])})
    assert response.status_code == 200, response.get_json()
    return new_list


def test_an_open_conversation_keeps_its_contact_after_the_list_changes(client, team, apis):
    customer_says(client, team, "First question")
    [before] = list(get_db().contacts.find({}))
    new_list = move_new_contacts_to(apis, team, "Customers 2027")

    customer_says(client, team, "Second question")

    assert get_db().contacts.count_documents({}) == 1
    [interaction] = list(get_db().interactions.find({}))
    assert interaction["contact_id"] == before["_id"]
    assert [m["text"] for m in stored_messages(interaction["_id"])] == ["First question", "Second question"]
    response = apis["alice"].post(
        "/interactions", json={"account_id": str(team["account"]["_id"]), "phone": CUSTOMER, "text": "Hello"}
    )
    assert response.status_code == 409 and get_db().interactions.count_documents({}) == 1

    assert apis["admin"].post(f"/interactions/{interaction['_id']}/accept").status_code == 200
    assert apis["admin"].post(f"/interactions/{interaction['_id']}/close", json={}).status_code == 200
    customer_says(client, team, "A new matter")
    newest = get_db().interactions.find_one({"is_open": True})
    assert get_db().contacts.find_one({"_id": newest["contact_id"]})["list_id"] == new_list["_id"]


def test_the_answer_to_a_recontact_template_reopens_the_conversation_after_the_list_changes(client, team, apis):
    recontact = make_template(team["account"], name="recontact", body="Hello again! Reply to continue.", recontact=True)
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.recontact_template_id": recontact["_id"]}})
    customer_says(client, team, "First question")
    interaction_id = str(get_db().interactions.find_one({})["_id"])
    assert apis["alice"].post(f"/interactions/{interaction_id}/accept").status_code == 200
    assert apis["alice"].post(f"/interactions/{interaction_id}/close", json={}).status_code == 200
    assert apis["alice"].post(f"/interactions/{interaction_id}/recontact", json={}).status_code == 201
    move_new_contacts_to(apis, team, "Customers 2027")

    customer_says(client, team, "Yes, still there")

    assert get_db().contacts.count_documents({}) == get_db().interactions.count_documents({}) == 1
    reopened = get_db().interactions.find_one({})
    assert reopened["is_open"] and stored_messages(reopened["_id"])[-1]["text"] == "Yes, still there"
