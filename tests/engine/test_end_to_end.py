"""The whole engine over real HTTP: Meta webhooks signed like Meta's, real Socket.IO clients,
the API with 20 agents racing to accept, the embedded RQ worker sending to the fake Meta server."""

import hashlib
import hmac
import json
import threading
import time

import requests

from app.db import get_db
from app.services.people import api_tokens
from tests.engine.test_meta_flow import MESSAGES, PHONE_ID, meta_account, sent_ok
from tests.support.builders import make_user
from tests.support.engine import make_queue, stored_messages
from tests.support.sockets import connect_as, wait_for

CUSTOMER = "15550001111"


def meta_body(value):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001000", "phone_number_id": PHONE_ID},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "100000000000002", "changes": [{"field": "messages", "value": value}]}],
    }


def customer_text(wamid, text):
    return meta_body(
        {
            "contacts": [{"profile": {"name": "Maria Rossi"}, "wa_id": CUSTOMER}],
            "messages": [
                {"from": CUSTOMER, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
            ],
        }
    )


def status(wamid, state):
    return meta_body({"statuses": [{"id": wamid, "status": state, "timestamp": str(int(time.time())), "recipient_id": CUSTOMER}]})


def post_webhook(server, account, payload):
    raw = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(b"app-secret", raw, hashlib.sha256).hexdigest()
    response = requests.post(
        f"{server.url}/webhooks/whatsapp/{account['webhook_key']}",
        data=raw,
        timeout=10,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_inbound_to_offer_race_reply_ticks_close_and_a_new_interaction(app, live_server, fake_provider):
    agents = [make_user("agent", name=f"Agent {n}") for n in range(20)]
    outsider = make_user("agent", name="Outsider")
    make_queue([outsider["_id"]])
    account = meta_account(fake_provider, make_queue([a["_id"] for a in agents]))
    get_db().dispositions.insert_one({"name": "Resolved"})
    first, second, other = (connect_as(live_server, who["email"]) for who in (agents[0], agents[1], outsider))

    assert post_webhook(live_server, account, customer_text("wamid.IN1", "My order never arrived"))["counts"] == {"accepted": 1}
    assert wait_for(lambda: get_db().contacts.find_one({"phone": "+" + CUSTOMER}))["first_name"] == "Maria"
    offers = [client.wait_for_event("offer") for client in (first, second)]
    assert all(o and o[0]["message"]["text"] == "My order never arrived" for o in offers)
    assert not other.received("offer")
    interaction_id = offers[0][0]["interaction_id"]

    tokens = [api_tokens.create_token(a["_id"], "race")[0] for a in agents]
    barrier = threading.Barrier(20)
    statuses = []

    def accept(token):
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/interactions/{interaction_id}/accept",
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 19
    owner_id = get_db().interactions.find_one({})["agent_id"]
    owner_token = tokens[[a["_id"] for a in agents].index(owner_id)]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {owner_token}"
    assert wait_for(lambda: first.received("assigned") and second.received("assigned"))

    fake_provider.script("POST", MESSAGES, sent_ok("wamid.OUT1"))
    sent = api.post(f"{live_server.url}/api/v1/interactions/{interaction_id}/messages", json={"text": "Sorry! Checking now."})
    assert sent.status_code == 201
    message_id = sent.json()["message"]["id"]

    def message_status():
        doc = get_db().interactions.find_one({})
        return next(m for m in stored_messages(doc["_id"]) if m["id"] == message_id).get("status")

    assert wait_for(lambda: message_status() == "sent", timeout=15), message_status()
    [delivered_request] = [r for r in fake_provider.requests_to(MESSAGES) if r.json.get("type") == "text"]
    assert delivered_request.json["text"]["body"] == "Sorry! Checking now."
    for state in ("delivered", "read", "delivered"):
        post_webhook(live_server, account, status("wamid.OUT1", state))
    assert wait_for(lambda: message_status() == "read"), message_status()

    closed = api.post(f"{live_server.url}/api/v1/interactions/{interaction_id}/close", json={"disposition": "Resolved"})
    assert closed.status_code == 200 and closed.json()["interaction"]["status"] == "closed"

    post_webhook(live_server, account, customer_text("wamid.IN2", "Thanks, it arrived"))
    newest = wait_for(lambda: get_db().interactions.find_one({"is_open": True}))
    assert str(newest["_id"]) != interaction_id and str(newest["previous_interaction_id"]) == interaction_id
    assert newest["status"] == "queued"
    for client in (first, second, other):
        client.disconnect()


def test_ten_simultaneous_webhooks_from_a_new_customer_over_http(app, live_server, fake_provider):
    agent = make_user("agent")
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    barrier = threading.Barrier(10)
    answers = []

    def post(n):
        barrier.wait()
        answers.append(post_webhook(live_server, account, customer_text(f"wamid.ALBUM{n}", f"photo {n}"))["counts"])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [{"accepted": 1}] * 10
    wait_for(lambda: sum(d["message_count"] for d in get_db().interactions.find({})) == 10)  # the workers applied them
    assert get_db().contacts.count_documents({"phone": "+" + CUSTOMER}) == 1
    [interaction] = list(get_db().interactions.find({}))
    assert sorted(m["text"] for m in stored_messages(interaction["_id"])) == sorted(f"photo {n}" for n in range(10))
