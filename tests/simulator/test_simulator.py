"""The simulator's server side: signed bodies that the real webhook accepts, and the conversation as the
customer's phone shows it (no internal notes, read ticks on the customer's own messages)."""

import base64

import pytest

from app.db import get_db
from app.services.conversations import delivery, lifecycle, message_store, outbound, routing
from app.services.reading import interaction_queries
from tests.media.support import PNG
from tests.simulator.support import Session
from tests.support.builders import csrf_token, make_user
from tests.webhooks.support import make_account, send_now


@pytest.fixture
def sim(app, admin_client):
    return Session(admin_client, make_account("sandbox"))


def agent_reply(sim, text, read_receipts="on_view"):
    """An agent of the account's queue accepts the conversation and answers; returns (agent, interaction)."""
    interaction = get_db().interactions.find_one({"account_id": sim.account["_id"]})
    agent = make_user("agent")
    get_db().queues.update_one({"_id": sim.account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    get_db().accounts.update_one({"_id": sim.account["_id"]}, {"$set": {"settings.read_receipts": read_receipts}})
    routing.accept(agent, interaction["_id"])
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": text})
    send_now(interaction["_id"], message["id"])
    return agent, interaction


def test_every_kind_goes_through_the_webhook(sim):
    assert sim.say("text", text="Hello there") == {"stored": 1}
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert sim.say("image", media={"data_url": image, "filename": "pic.png"}, caption="look") == {"stored": 1}
    assert sim.say("location", location={"latitude": "51.5", "longitude": "-0.12", "name": "Here"}) == {"stored": 1}
    assert sim.say("contacts", contact={"name": "Jordan", "phone": "+15550007777"}) == {"stored": 1}
    first = sim.conversation().get_json()["messages"][0]
    assert sim.say("text", text="About that", context_message_id=first["provider_message_id"]) == {"stored": 1}
    messages = sim.conversation().get_json()["messages"]
    assert [m["kind"] for m in messages] == ["text", "image", "location", "contacts", "text"]
    assert messages[-1]["reply_to"] == first["provider_message_id"]
    assert messages[1]["media"]["state"] in ("pending", "ready") and messages[1]["caption"] == "look"
    assert get_db().interactions.find_one({})["contact"]["phone"] == sim.phone


def test_agent_replies_are_shown_acknowledged_and_reacted_to(sim):
    sim.say("text", text="Hi")
    _, interaction = agent_reply(sim, "How can I help?")
    lifecycle.add_note(make_user("admin"), interaction["_id"], "Customer sounds annoyed")
    shown = sim.conversation().get_json()["messages"]
    assert [m["direction"] for m in shown] == ["in", "out"], "internal notes never reach the customer's phone"
    reply = shown[1]
    assert reply["text"] == "How can I help?" and reply["status"] == "sent"
    assert sim.deliver(sim.ack(reply["provider_message_id"], "delivered")) == {"applied": 1}
    assert sim.deliver(sim.ack(reply["provider_message_id"], "read")) == {"applied": 1}
    assert sim.say("reaction", reaction={"message_id": reply["provider_message_id"], "emoji": "👍"}) == {"reaction": 1}
    reply = sim.conversation().get_json()["messages"][1]
    assert reply["status"] == "read" and reply["reactions"]["customer"]["emoji"] == "👍"


def test_the_customers_own_messages_turn_read_when_an_agent_has_read_them(sim):
    sim.say("text", text="First")
    sim.say("text", text="Second")
    interaction = get_db().interactions.find_one({"account_id": sim.account["_id"]})
    agent = make_user("agent")
    get_db().queues.update_one({"_id": sim.account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    routing.accept(agent, interaction["_id"])
    assert [m["status"] for m in sim.conversation().get_json()["messages"]] == ["delivered", "delivered"]

    interaction_queries.mark_read(agent, interaction["_id"])  # the agent opens the conversation
    assert delivery.send_read_receipt(str(interaction["_id"])) == "sent"  # the job it queues
    sim.say("text", text="Third, after the agent looked")
    statuses = [(m["text"], m["status"]) for m in sim.conversation().get_json()["messages"]]
    assert statuses == [("First", "read"), ("Second", "read"), ("Third, after the agent looked", "delivered")]


def test_a_refused_agent_message_never_reaches_the_phone(sim):
    sim.say("text", text="Hi")
    agent, interaction = agent_reply(sim, "Delivered one")
    failed, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Refused one"})
    message_store.update({"interaction_id": interaction["_id"], "id": failed["id"]}, {"status": "failed"})
    assert [m["text"] for m in sim.conversation().get_json()["messages"]] == ["Hi", "Delivered one"]


def test_bad_input_is_refused_with_a_reason(sim, admin_client):
    for payload, field in [
        ({"kind": "text", "phone": "12"}, "phone"),
        ({"kind": "text", "phone": sim.phone}, "text"),
        ({"kind": "image", "phone": sim.phone, "media": {"data_url": "nope"}}, "media"),
    ]:
        response = sim.post("/message", payload)
        assert response.status_code == 422 and field in response.get_json()["error"].get("fields", {}), payload
    assert admin_client.post(f"{sim.base}/message", json={"kind": "text"}).status_code == 400, "CSRF is on"
    other = make_account("meta")
    token = csrf_token(admin_client, "/simulator/")
    assert admin_client.post(f"/simulator/{other['_id']}/message", json={}, headers={"X-CSRFToken": token}).status_code == 404
    assert sim.post("/ack", {"phone": sim.phone, "message_id": "sbx.nope", "status": "read"}).status_code == 404
    assert sim.post("/ack", {"phone": sim.phone, "message_id": "x", "status": "played"}).status_code == 422


def test_a_tap_on_an_interactive_message_sends_the_choice_it_offered(sim):
    sim.say("text", text="Hi")
    agent, interaction = agent_reply(sim, "One moment")
    content = {"type": "list", "body": "Pick one", "list": {"button": "Topics", "sections": [
        {"title": "Help", "rows": [{"id": "billing", "title": "Billing", "description": "Invoices"}]}]}}
    menu, _ = outbound.compose(agent, interaction["_id"], {"kind": "interactive", "interactive": content})
    send_now(interaction["_id"], menu["id"])
    shown = sim.conversation().get_json()["messages"][-1]
    assert shown["interactive"]["list"]["sections"][0]["rows"][0]["id"] == "billing"
    wamid = shown["provider_message_id"]

    tap = {"reply": {"id": "billing"}, "context_message_id": wamid}
    assert sim.say("list_reply", **tap) == {"stored": 1}
    tapped = sim.conversation().get_json()["messages"][-1]["provider_message_id"]
    stored = message_store.by_provider_id(sim.account["_id"], tapped, "in")
    assert stored["reply"] == {"id": "billing", "title": "Billing", "description": "Invoices"} and stored["reply_to"] == wamid

    tap_on = {"phone": sim.phone, "context_message_id": wamid}
    refused = sim.post("/message", {**tap_on, "kind": "list_reply", "reply": {"id": "nope"}})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["reply"] == "Not one of the message's choices."
    as_button = sim.post("/message", {**tap_on, "kind": "button_reply", "reply": {"id": "billing"}})
    assert as_button.status_code == 422, "a list's row is not a button"
    unanchored = sim.post("/message", {"phone": sim.phone, "kind": "button_reply", "reply": {"id": "billing"}})
    assert unanchored.status_code == 422 and "context_message_id" in unanchored.get_json()["error"]["fields"]
