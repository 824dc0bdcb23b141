"""Agents' messages sent by the real RQ job (embedded worker) to the fake Meta server: retries, final
errors and re-authorization. The conversation starts as a real one does: a signed inbound webhook."""

import copy
import json

import pytest

from app.db import get_db
from app.providers import WINDOW_CLOSED_MESSAGE
from app.services.channel import accounts
from app.services.conversations import outbound, routing
from tests.fakes.provider_server import FakeResponse
from tests.media.support import wait_for
from tests.providers.support import load, read_bytes
from tests.support.builders import make_user
from tests.support.engine import stored_message

from .support import PNID, make_account, path_of, signed

SEND_PATH = f"/v23.0/{PNID}/messages"


@pytest.fixture
def conversation(app, live_server, fake_provider):
    """(agent, account, interaction) after a customer wrote in and the agent accepted."""
    agent = make_user("agent")
    account = make_account("meta", api_base=fake_provider.url + "/v23.0")
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    headers, body = signed(account, read_bytes("meta/inbound_text.json"))
    assert app.test_client().post(path_of(account), data=body, headers=headers).status_code == 200
    interaction = wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))  # the worker applies it
    routing.accept(agent, interaction["_id"])
    return agent, account, interaction


def _message(interaction, message_id):
    return stored_message(interaction["_id"], message_id)


def _ok(message_id):
    return FakeResponse(json={"messaging_product": "whatsapp", "contacts": [{"input": "15550001111", "wa_id": "15550001111"}],
                              "messages": [{"id": message_id}]})


def test_429_with_retry_after_then_200_ends_sent_with_one_copy(conversation, fake_provider):
    agent, _, interaction = conversation
    fake_provider.script("POST", SEND_PATH,
                         FakeResponse(429, {"error": {"message": "slow down", "code": 130429}}, headers={"Retry-After": "1"}),
                         _ok("wamid.OUT.1"))
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Thanks for waiting"})
    sent = wait_for(lambda: (m := _message(interaction, message["id"]))["status"] == "sent" and m, timeout=20)
    assert sent["provider_message_id"] == "wamid.OUT.1"
    attempts = fake_provider.requests_to(SEND_PATH, "POST")
    assert len(attempts) == 2, "one refused attempt, one accepted: exactly one copy reached the customer"
    assert attempts[1].json["text"]["body"] == "Thanks for waiting" and attempts[1].json["to"] == "15550001111"


def test_meta_131047_on_send_ends_failed_with_the_recontact_sentence(conversation, fake_provider):
    agent, _, interaction = conversation
    error = {"error": {"message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
                       "error_data": {"messaging_product": "whatsapp", "details": "Message failed to send because more than "
                                      "24 hours have passed since the customer last replied to this number."}}}
    fake_provider.script("POST", SEND_PATH, FakeResponse(400, error))
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Are you still there?"})
    failed = wait_for(lambda: (m := _message(interaction, message["id"]))["status"] == "failed" and m, timeout=10)
    assert failed["error"]["user_message"] == WINDOW_CLOSED_MESSAGE
    assert failed["error"]["category"] == "window_closed"


def test_meta_131047_as_a_later_failed_status_webhook(app, conversation, fake_provider):
    """Meta usually accepts the send (200) and reports the closed window later, in a status webhook."""
    agent, account, interaction = conversation
    fake_provider.script("POST", SEND_PATH, _ok("wamid.LATE.1"))
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Hello again"})
    wait_for(lambda: _message(interaction, message["id"])["status"] == "sent", timeout=10)
    payload = copy.deepcopy(load("meta/status_failed_131047_reengagement.json"))
    payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = "wamid.LATE.1"
    headers, body = signed(account, json.dumps(payload).encode())
    response = app.test_client().post(path_of(account), data=body, headers=headers)
    assert response.get_json()["counts"] == {"accepted": 1}
    failed = wait_for(lambda: _message(interaction, message["id"])["status"] == "failed" and _message(interaction, message["id"]))
    assert failed["status"] == "failed" and failed["error"]["user_message"] == WINDOW_CLOSED_MESSAGE


def test_401_holds_messages_until_new_credentials_are_saved(conversation, fake_provider, admin_client):
    agent, account, interaction = conversation
    fake_provider.script("POST", SEND_PATH, FakeResponse(401, load("meta/response_error_expired_token_pywa.json")))
    message, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Your order shipped"})
    held = wait_for(lambda: (m := _message(interaction, message["id"])).get("held") and m, timeout=10)
    assert held["status"] == "queued", "held, not failed"
    assert get_db().accounts.find_one({"_id": account["_id"]})["status"] == "needs_reauth"
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="reauth-banner"' in page and account["name"] in page

    second, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "And a second one"})
    wait_for(lambda: _message(interaction, second["id"]).get("held"), timeout=10)
    assert len(fake_provider.requests_to(SEND_PATH, "POST")) == 1, "no attempt while the account needs re-authorization"

    fake_provider.route("POST", SEND_PATH, lambda req: _ok(f"wamid.AFTER.{len(fake_provider.requests)}"))
    accounts.update(account["_id"], {"credentials": {"access_token": "a-fresh-token"}})
    assert get_db().accounts.find_one({"_id": account["_id"]})["status"] == "active"
    for sent_id in (message["id"], second["id"]):
        wait_for(lambda sent_id=sent_id: _message(interaction, sent_id)["status"] == "sent", timeout=10)
    resent = fake_provider.requests_to(SEND_PATH, "POST")[1:]
    assert len(resent) == 2 and all(r.headers["authorization"] == "Bearer a-fresh-token" for r in resent)
    assert 'data-testid="reauth-banner"' not in admin_client.get("/admin/").get_data(as_text=True)


def test_the_banner_is_for_admins_only(app, admin_client, agent_client):
    account = make_account("meta")
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"status": "needs_reauth"}})
    assert 'data-testid="reauth-banner"' in admin_client.get("/admin/accounts/").get_data(as_text=True)
    assert 'data-testid="reauth-banner"' not in agent_client.get("/desktop/").get_data(as_text=True)
