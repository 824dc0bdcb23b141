"""The simulator's server side: who may use it, signed bodies that the real webhook accepts, and the
conversation as the customer's phone shows it (no internal notes)."""

import base64

import pytest

from app.db import get_db
from app.services import lifecycle, outbound, routing
from tests.media.support import PNG
from tests.support.builders import csrf_token, make_user
from tests.webhooks.support import make_account, send_now


@pytest.fixture
def sim(app, admin_client):
    account = make_account("sandbox")
    token = csrf_token(admin_client, "/simulator/")

    def call(kind, **fields):
        response = admin_client.post(f"/simulator/{account['_id']}/message", json={"phone": "+15550001111", "name": "Casey",
                                                                                   "kind": kind, **fields},
                                     headers={"X-CSRFToken": token})
        assert response.status_code == 200, response.get_json()
        signed = response.get_json()
        delivered = admin_client.post(signed["url"], data=signed["body"], headers=signed["headers"])
        assert delivered.status_code == 200, delivered.get_json()
        return delivered.get_json()["counts"]

    def ack(provider_message_id, status):
        response = admin_client.post(f"/simulator/{account['_id']}/ack", headers={"X-CSRFToken": token},
                                     json={"message_id": provider_message_id, "status": status})
        signed = response.get_json()
        return admin_client.post(signed["url"], data=signed["body"], headers=signed["headers"]).get_json()["counts"]

    def conversation():
        return admin_client.get(f"/simulator/{account['_id']}/conversation?phone=%2B15550001111").get_json()

    call.account, call.ack, call.conversation = account, ack, conversation
    return call


def test_only_admins_use_it_outside_development(app, client, agent_client, admin_client):
    assert client.get("/simulator/").status_code == 302
    assert agent_client.get("/simulator/").status_code == 403
    assert admin_client.get("/simulator/").status_code == 200


def test_anyone_may_use_it_in_development(app, client):
    app.config["PARLEY_CONFIG_NAME"] = "development"
    make_account("sandbox")
    page = client.get("/simulator/")
    assert page.status_code == 200 and b"data-simulator" in page.data


def test_every_kind_goes_through_the_webhook(sim):
    assert sim("text", text="Hello there") == {"stored": 1}
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert sim("image", media={"data_url": image, "filename": "pic.png"}, caption="look") == {"stored": 1}
    assert sim("location", location={"latitude": "51.5", "longitude": "-0.12", "name": "Here"}) == {"stored": 1}
    assert sim("contacts", contact={"name": "Jordan", "phone": "+15550007777"}) == {"stored": 1}
    first = sim.conversation()["messages"][0]
    assert sim("text", text="About that", context_message_id=first["provider_message_id"]) == {"stored": 1}
    messages = sim.conversation()["messages"]
    assert [m["kind"] for m in messages] == ["text", "image", "location", "contacts", "text"]
    assert messages[-1]["reply_to"] == first["provider_message_id"]
    assert messages[1]["media"]["state"] in ("pending", "ready") and messages[1]["caption"] == "look"


def test_agent_replies_are_shown_acknowledged_and_reacted_to(sim):
    sim("text", text="Hi")
    interaction = get_db().interactions.find_one({"account_id": sim.account["_id"]})
    agent = make_user("agent")
    get_db().queues.update_one({"_id": sim.account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    routing.accept(agent, interaction["_id"])
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "How can I help?"})
    lifecycle.add_note(agent, interaction["_id"], "Customer sounds annoyed")
    send_now(interaction["_id"], message["id"])
    shown = sim.conversation()["messages"]
    assert [m["direction"] for m in shown] == ["in", "out"], "internal notes never reach the customer's phone"
    reply = shown[1]
    assert reply["text"] == "How can I help?" and reply["status"] == "sent"
    assert sim.ack(reply["provider_message_id"], "delivered") == {"applied": 1}
    assert sim.ack(reply["provider_message_id"], "read") == {"applied": 1}
    assert sim("reaction", reaction={"message_id": reply["provider_message_id"], "emoji": "👍"}) == {"reaction": 1}
    reply = sim.conversation()["messages"][1]
    assert reply["status"] == "read" and reply["reactions"]["customer"]["emoji"] == "👍"


def test_bad_input_is_refused_with_a_reason(sim, admin_client):
    token = csrf_token(admin_client, "/simulator/")
    path = f"/simulator/{sim.account['_id']}/message"
    for payload, field in [({"kind": "text", "phone": "12"}, "phone"), ({"kind": "text", "phone": "+15550001111"}, "text"),
                           ({"kind": "image", "phone": "+15550001111", "media": {"data_url": "nope"}}, "media")]:
        response = admin_client.post(path, json=payload, headers={"X-CSRFToken": token})
        assert response.status_code == 422 and field in response.get_json()["error"].get("fields", {}), payload
    assert admin_client.post(path, json={"kind": "text"}).status_code == 400, "CSRF is on"
    other = make_account("meta")
    assert admin_client.post(f"/simulator/{other['_id']}/message", json={}, headers={"X-CSRFToken": token}).status_code == 404
