"""Conversations an agent starts with "+": the customer's answer, through the real signed webhook,
reaches the agent, opens the 24-hour window and keeps every message in view (text, template,
quick reply with and without close-on-quick-reply, and the recontact template after closing)."""

import pytest

from app.db import get_db
from app.providers import sandbox
from app.services.conversations import live
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.engine.helpers import make_template
from tests.webhooks.support import post_events, send_now

CUSTOMER = "+393331234567"
QUICK_REPLIES = [{"type": "QUICK_REPLY", "text": "Yes"}, {"type": "QUICK_REPLY", "text": "No"}]


@pytest.fixture
def alice_api(client, team):
    return Api(client, api_tokens.create_token(team["alice"]["_id"], "tests")[0])


def start(alice_api, team, **what):
    response = alice_api.post("/interactions", json={"account_id": str(team["account"]["_id"]), "phone": CUSTOMER, **what})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    return created["interaction"]["id"], created["message"]


def customer(client, team, kind="text", **fields):
    response = post_events(client, team["account"], sandbox.build_inbound(CUSTOMER, kind, **fields))
    assert response.status_code == 200 and response.applied == {"stored": 1}, response.get_json()


def detail(alice_api, interaction_id):
    response = alice_api.get(f"/interactions/{interaction_id}")
    assert response.status_code == 200
    return response.get_json()


def texts(view):
    def text(m):
        return (
            m.get("text") or (m.get("reply") or {}).get("title") or ((m.get("template") or {}).get("rendered") or {}).get("body")
        )

    return [text(m) for m in view["messages"]]


def test_a_reply_to_a_started_text_reaches_the_agent_opens_the_window_and_keeps_every_message(client, team, alice_api):
    interaction_id, first = start(alice_api, team, text="A message")
    seq_before = detail(alice_api, interaction_id)["interaction"]["seq"]

    customer(client, team, text="Hello, who is this?")

    view = detail(alice_api, interaction_id)
    assert view["interaction"]["window_expired"] is False and view["interaction"]["window_expires_at"]
    assert view["interaction"]["last_message"]["direction"] == "in" and view["interaction"]["unread"] == 1
    # The workers that applied the webhook also scored its sentiment: a "sentiment" event follows.
    event, *later = live.events_since(get_db().interactions.find_one({})["_id"], seq_before)["events"]
    assert [e["event"] for e in later] == ["sentiment"]
    assert event["event"] == "message" and event["message"]["text"] == "Hello, who is this?"
    assert event["message"]["position"] == 1 and event["interaction"]["agent_id"] == str(team["alice"]["_id"])

    assert alice_api.post(f"/interactions/{interaction_id}/messages", json={"text": "It is Parley Shop"}).status_code == 201
    view = detail(alice_api, interaction_id)
    assert texts(view) == ["A message", "Hello, who is this?", "It is Parley Shop"]
    assert view["paging"]["total"] == 3 and [m["position"] for m in view["messages"]] == [0, 1, 2]
    assert first["text"] == "A message"


def test_a_quick_reply_to_a_started_template_closes_it_when_the_account_says_so(client, team, alice_api):
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.close_on_quick_reply": True}})
    template = make_template(team["account"], name="delivery_check", body="Is {{1}} a good time?", buttons=QUICK_REPLIES)
    interaction_id, sent = start(alice_api, team, template_id=str(template["_id"]), params={"body": ["noon"]})
    provider_id = send_now(get_db().interactions.find_one({})["_id"], sent["id"])

    customer(client, team, kind="template_reply", reply={"title": "Yes", "payload": "Yes"}, context_message_id=provider_id)

    view = detail(alice_api, interaction_id)
    assert view["interaction"]["status"] == "closed"
    assert texts(view) == ["Is noon a good time?", "Yes", "Closed automatically: the customer answered with a quick reply."]


def test_a_quick_reply_to_a_started_template_stays_open_by_default(client, team, alice_api):
    template = make_template(team["account"], name="delivery_check", body="Is {{1}} a good time?", buttons=QUICK_REPLIES)
    interaction_id, sent = start(alice_api, team, template_id=str(template["_id"]), params={"body": ["noon"]})
    provider_id = send_now(get_db().interactions.find_one({})["_id"], sent["id"])

    customer(client, team, kind="template_reply", reply={"title": "No", "payload": "No"}, context_message_id=provider_id)

    view = detail(alice_api, interaction_id)
    assert view["interaction"]["status"] == "open" and view["interaction"]["window_expired"] is False
    assert texts(view) == ["Is noon a good time?", "No"]


def test_a_reply_to_the_recontact_template_reopens_a_started_conversation_closed_before_any_answer(client, team, alice_api):
    recontact = make_template(team["account"], name="recontact", body="Hello again! Reply to continue.", recontact=True)
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.recontact_template_id": recontact["_id"]}})
    interaction_id, _ = start(alice_api, team, text="A message")
    assert alice_api.post(f"/interactions/{interaction_id}/close", json={}).status_code == 200
    assert alice_api.post(f"/interactions/{interaction_id}/recontact", json={}).status_code == 201

    customer(client, team, text="Yes, go on")

    assert get_db().interactions.count_documents({}) == 1
    view = detail(alice_api, interaction_id)
    assert view["interaction"]["status"] == "queued" and view["interaction"]["window_expired"] is False
    assert (
        texts(view)[-2:] == ["Hello again! Reply to continue.", "Yes, go on"]
        and view["paging"]["total"] == len(view["messages"]) == 4
    )


def test_a_started_conversation_is_found_by_the_customers_number_and_name(team, alice_api):
    interaction_id, _ = start(alice_api, team, text="A message", name="Giulia Verdi")
    for q in (CUSTOMER, "+39 333 123 4567", "giulia", "message"):
        rows = alice_api.get("/interactions", query_string={"q": q}).get_json()["data"]
        assert [row["id"] for row in rows] == [interaction_id], q
