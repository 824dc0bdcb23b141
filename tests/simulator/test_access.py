"""Who may use the simulator, and what a session may touch: a signed-in user (any role) in every
configuration, playing only the customer numbers the simulator gave that browser session."""

import base64

import pytest

from app.db import get_db
from app.services.attachments import media
from app.services.conversations import outbound, routing
from app.services.simulation import simulator_numbers
from tests.media.support import PNG
from tests.simulator.support import Session
from tests.support.builders import make_user, sign_in
from tests.support.engine import stored_message, stored_messages
from tests.webhooks.support import make_account, send_now


@pytest.mark.parametrize("config_name", ["development", "testing", "production"])
def test_a_signed_in_user_of_any_role_is_needed_in_every_configuration(app, client, agent_client, admin_client, config_name):
    app.config["PARLEY_CONFIG_NAME"] = config_name
    account = make_account("sandbox")
    assert client.get("/simulator/").status_code == 302
    conversation = client.get(
        f"/simulator/{account['_id']}/conversation?phone=%2B15550001111", headers={"Accept": "application/json"}
    )
    assert conversation.status_code == 401
    assert client.get(f"/simulator/{account['_id']}/media/0123456789abcdef01234567").status_code == 302
    for signed_in in (agent_client, admin_client):
        page = signed_in.get("/simulator/")
        assert page.status_code == 200 and b"data-simulator" in page.data
    assert b'href="/simulator/"' in agent_client.get("/simulator/").data, "agents find it in the menu"


def test_a_session_plays_only_the_numbers_it_was_given(app, agent_client):
    sim = Session(agent_client, make_account("sandbox"))
    mine = sim.phone
    assert mine.startswith("+1") and mine[5:10] == "55501", "from the range kept for fiction"
    assert get_db().simulator_numbers.find_one({"phone": mine})["user_id"] is not None
    refused = sim.post("/message", {"phone": "+15550001111", "kind": "text", "text": "Hi"})
    assert refused.status_code == 403 and "phone" in refused.get_json()["error"]["fields"]
    assert sim.conversation("+15550001111").status_code == 403
    assert sim.say("text", text="Hello") == {"stored": 1}
    assert sim.conversation().status_code == 200

    numbers = sim.new_number().get_json()["numbers"]
    assert numbers[0] == mine and len(numbers) == 2 and numbers[1] != mine and sim.numbers == numbers
    for _ in range(simulator_numbers.PER_SESSION - 2):
        assert sim.new_number().status_code == 200
    assert sim.new_number().status_code == 409
    assert agent_client.get("/simulator/").status_code == 200 and sim.numbers[0] == mine, "a reload keeps the numbers"


def test_one_session_cannot_read_forge_receipts_react_or_download_in_another(app, admin_client, agent_client):
    account = make_account("sandbox")
    victim, intruder = Session(admin_client, account), Session(agent_client, account)
    assert victim.phone != intruder.phone
    victim.say("text", text="My card number is private")
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    victim.say("image", media={"data_url": image, "filename": "id.png"})
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    agent = make_user("agent")
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    routing.accept(agent, interaction["_id"])
    reply, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Thanks, noted"})
    provider_id = send_now(interaction["_id"], reply["id"])
    image_message = stored_messages(interaction["_id"])[1]
    assert image_message["media"]["state"] == "ready", "a file that came inside the webhook is in GridFS at once"
    assert media.fetch_inbound(str(interaction["_id"]), image_message["id"]) == "skipped"  # the download job: nothing to do
    file_id = victim.conversation().get_json()["messages"][1]["media"]["file_id"]
    assert victim.client.get(f"{victim.base}/media/{file_id}").data == PNG

    assert intruder.conversation(victim.phone).status_code == 403
    assert intruder.post("/message", {"phone": victim.phone, "kind": "text", "text": "I am you"}).status_code == 403
    assert intruder.ack(provider_id, "read", phone=victim.phone).status_code == 403
    assert intruder.ack(provider_id, "read").status_code == 404, "a receipt only for its own conversation's messages"
    reaction = {"message_id": provider_id, "emoji": "😈"}
    assert intruder.post("/message", {"phone": intruder.phone, "kind": "reaction", "reaction": reaction}).status_code == 404
    quote = {"phone": intruder.phone, "kind": "text", "text": "re", "context_message_id": provider_id}
    assert intruder.post("/message", quote).status_code == 404
    assert intruder.client.get(f"{intruder.base}/media/{file_id}").status_code == 404
    assert victim.ack(victim.conversation().get_json()["messages"][0]["provider_message_id"], "read").status_code == 404, (
        "receipts are for agents' messages, never the customer's own"
    )
    assert stored_message(interaction["_id"], reply["id"])["status"] == "sent"


def test_whoever_signs_in_next_in_the_same_browser_gets_numbers_of_their_own(app, client):
    first, second = make_user("agent"), make_user("agent")
    sign_in(client, first["email"])
    account = make_account("sandbox")
    theirs = Session(client, account).phone
    client.post("/logout", data={"csrf_token": Session(client, account).token})
    sign_in(client, second["email"])
    mine = Session(client, account)
    assert mine.phone != theirs and mine.numbers == [mine.phone]
    assert mine.conversation(theirs).status_code == 403


def test_two_sessions_never_get_the_same_number_nor_one_with_a_conversation(app, monkeypatch):
    user = make_user("agent")
    make_account("sandbox")
    taken = simulator_numbers.give(user["_id"])
    get_db().interactions.insert_one({"contact": {"phone": "+12025550142"}})
    offered = iter([taken, "+12025550142", "+12025550143"])
    monkeypatch.setattr(simulator_numbers, "_candidate", lambda: next(offered))
    assert simulator_numbers.give(user["_id"]) == "+12025550143"
