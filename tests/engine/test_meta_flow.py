"""The engine with a Meta account against the fake provider server: sends, read receipts, errors."""

import pytest
from rq.job import Job

from app import queues
from app.db import get_db
from app.providers.errors import WINDOW_CLOSED_MESSAGE
from app.services.channel import accounts
from app.services.conversations import delivery, outbound, routing
from app.services.reading import interaction_queries
from tests.engine.helpers import message
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import make_user
from tests.support.engine import make_queue

PHONE_ID = "100000000000001"
MESSAGES = f"/v23.0/{PHONE_ID}/messages"


def meta_account(fake, queue, **settings):
    account = accounts.create_account(
        "Meta shop",
        "meta",
        "+15550001000",
        queue_id=queue["_id"],
        credentials={"phone_number_id": PHONE_ID, "waba_id": "100000000000002"},
        secret_values={"access_token": "meta-token", "app_secret": "app-secret", "verify_token": "verify-me"},
        api_base=f"{fake.url}/v23.0",
    )
    if settings:
        get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {f"settings.{k}": v for k, v in settings.items()}})
    return get_db().accounts.find_one({"_id": account["_id"]})


def meta_text_event(account, text="Hello"):
    from app.providers.events import InboundMessage
    from app.services import clock

    return InboundMessage(
        provider="meta",
        provider_message_id=f"wamid.IN{text}",
        sender="+15550001111",
        kind="text",
        timestamp=clock.now(),
        text=text,
        profile_name="Maria",
    )


@pytest.fixture
def meta_setup(app, fake_provider):
    agent = make_user("agent", name="Alice")
    account = meta_account(fake_provider, make_queue([agent["_id"]]))
    from app.services.conversations import inbound

    inbound.ingest(account, [meta_text_event(account)])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    return agent, account, interaction


def sent_ok(wamid):
    return FakeResponse(
        200,
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "15550001111", "wa_id": "15550001111"}],
            "messages": [{"id": wamid}],
        },
    )


def test_a_reply_reaches_meta_with_the_documented_body(meta_setup, fake_provider):
    agent, account, interaction = meta_setup
    fake_provider.script("POST", MESSAGES, sent_ok("wamid.OUT1"))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "How can I help?"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [request] = fake_provider.requests_to(MESSAGES)
    assert request.headers["authorization"] == "Bearer meta-token"
    body = request.json
    assert body["to"] == "15550001111" and body["type"] == "text" and body["text"]["body"] == "How can I help?"
    assert message(interaction["_id"], sent["id"])["provider_message_id"] == "wamid.OUT1"


def test_429_then_200_is_retried_and_sent_once(meta_setup, fake_provider):
    agent, account, interaction = meta_setup
    fake_provider.script(
        "POST",
        MESSAGES,
        FakeResponse(429, {"error": {"code": 130429, "message": "Rate limit"}}, headers={"Retry-After": "1"}),
        sent_ok("wamid.OUT2"),
    )
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Hi"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "retrying"
    retry = message(interaction["_id"], sent["id"])["retry"]
    assert retry["attempt"] == 1 and retry["next_in"] >= 1
    scheduled = queues.get_queue("outbound").scheduled_job_registry.get_job_ids()
    assert f"send-{sent['id']}-2" in scheduled
    assert delivery.deliver(str(interaction["_id"]), sent["id"], attempt=2) == "sent"
    assert delivery.deliver(str(interaction["_id"]), sent["id"], attempt=2) == "skipped"  # a repeated job
    assert len(fake_provider.requests_to(MESSAGES)) == 2
    assert message(interaction["_id"], sent["id"])["status"] == "sent"


def test_131047_from_the_api_ends_failed_with_the_recontact_hint(meta_setup, fake_provider):
    agent, account, interaction = meta_setup
    error = {
        "error": {
            "message": "Re-engagement message",
            "type": "OAuthException",
            "code": 131047,
            "error_data": {"messaging_product": "whatsapp", "details": "More than 24 hours have passed"},
        }
    }
    fake_provider.script("POST", MESSAGES, FakeResponse(400, error))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Still there?"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "failed"
    failed = message(interaction["_id"], sent["id"])
    assert failed["status"] == "failed" and failed["error"]["user_message"] == WINDOW_CLOSED_MESSAGE


def test_expired_token_holds_messages_until_the_account_is_fixed(meta_setup, fake_provider):
    agent, account, interaction = meta_setup
    expired = {"error": {"message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190}}
    fake_provider.script("POST", MESSAGES, FakeResponse(401, expired))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Hi"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "held"
    assert get_db().accounts.find_one({"_id": account["_id"]})["status"] == "needs_reauth"
    held, _ = outbound.compose(agent, interaction["_id"], {"text": "Second"})
    assert delivery.deliver(str(interaction["_id"]), held["id"]) == "held"  # no call while the token is known bad
    assert len(fake_provider.requests_to(MESSAGES)) == 1
    assert message(interaction["_id"], sent["id"])["status"] == "queued"
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"status": "active"}})
    assert delivery.release_held(account["_id"]) == 2
    assert not message(interaction["_id"], sent["id"]).get("held")


@pytest.mark.parametrize("setting, on_view, on_reply", [("on_view", 1, 0), ("on_reply", 0, 1), ("never", 0, 0)])
def test_read_receipts_follow_the_account_setting(app, fake_provider, setting, on_view, on_reply):
    agent = make_user("agent")
    account = meta_account(fake_provider, make_queue([agent["_id"]]), read_receipts=setting)
    from app.services.conversations import inbound

    inbound.ingest(account, [meta_text_event(account, "Hi")])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    queue = queues.get_queue("outbound")

    def receipt_jobs():
        return [
            j
            for j in (Job.fetch(i, connection=queues.get_redis()) for i in queue.job_ids)
            if j.func_name == "workers.outbound.send_read_receipt"
        ]

    interaction_queries.mark_read(agent, interaction["_id"])
    assert len(receipt_jobs()) == on_view
    outbound.compose(agent, interaction["_id"], {"text": "On it"})
    assert len(receipt_jobs()) == on_view + on_reply
    fake_provider.route("POST", MESSAGES, FakeResponse(200, {"success": True}))
    if on_view + on_reply:
        assert delivery.send_read_receipt(str(interaction["_id"])) == "sent"
        assert delivery.send_read_receipt(str(interaction["_id"])) == "already_sent"
        reads = [r.json for r in fake_provider.requests_to(MESSAGES) if r.json.get("status") == "read"]
        assert reads == [{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.INHi"}]
