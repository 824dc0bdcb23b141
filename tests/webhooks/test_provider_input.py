"""Odd provider input through the signed webhook endpoint: what is not a customer's message is
refused and counted as malformed (with a log line), what cannot be stored is kept as text for
replay, and a status finds our message even when a customer's message carries the same id."""

import json
import logging
import time

import bson

from app.db import get_db
from app.providers import sandbox
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.support.builders import make_user
from tests.support.engine import make_queue, make_sandbox_account, stored_messages
from tests.webhooks.support import PNID, deliver, make_account, outcomes, post_events, send_now, signed

CUSTOMER = "+447700900123"


def post(client, account, body, content_type="application/json"):
    headers, body = signed(account, body, content_type)
    response = deliver(client, account, body, headers)
    assert response.status_code == 200, response.get_json()
    return outcomes(response)


def nothing_stored():
    return get_db().interactions.count_documents({}) == get_db().contacts.count_documents({}) == 0


def refusals(caplog):
    return [r.getMessage() for r in caplog.records if "refused as malformed" in r.getMessage()]


# -- Kaleyra v1: our own send form is not a customer's message --------------------------------------
def test_kaleyra_v1_refuses_a_message_from_the_accounts_own_number(client, caplog):
    account = make_account("kaleyra", phone="+15550001000")
    own_send = {"from": "15550001000", "to": CUSTOMER.lstrip("+"), "type": "text", "body": "Your order shipped"}
    with caplog.at_level(logging.WARNING):
        assert post(client, account, own_send) == {"malformed": 1}
        form = "from=%2B15550001000&to=447700900123&type=text&body=Your+order+shipped"
        assert post(client, account, form.encode(), "application/x-www-form-urlencoded") == {"malformed": 1}
    assert nothing_stored()
    assert len(refusals(caplog)) == 2 and "own number" in refusals(caplog)[0]

    customer = {"from": CUSTOMER.lstrip("+"), "wanumber": "15550001000", "type": "text", "body": "Where is it?"}
    assert post(client, account, customer) == {"stored": 1}
    assert get_db().interactions.find_one({})["contact"]["phone"] == CUSTOMER


# -- Meta: an event without a valid sender is counted and logged ------------------------------------
def meta_messages(*messages):
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001000", "phone_number_id": PNID}}
    value["messages"] = list(messages)
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}


def meta_text(wamid, sender, body="Hello"):
    message = {"id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": body}}
    if sender is not None:
        message["from"] = sender
    return message


def test_meta_messages_without_a_valid_sender_are_counted_and_logged(client, caplog):
    account = make_account("meta")
    payload = meta_messages(
        meta_text("wamid.A", None), meta_text("wamid.B", "not a number"), meta_text("wamid.C", "447700900123")
    )
    payload["entry"][0]["changes"][0]["value"]["statuses"] = [{"status": "delivered", "recipient_id": "447700900123"}]
    with caplog.at_level(logging.WARNING):
        assert post(client, account, payload) == {"malformed": 3, "stored": 1}
    assert [m["provider_message_id"] for m in stored_messages(get_db().interactions.find_one({})["_id"])] == ["wamid.C"]
    logged = refusals(caplog)
    assert len(logged) == 3 and all("valid sender" in line for line in logged[:2]) and "'id'" in logged[2]
    assert "wamid.A" in logged[0] and "wamid.B" in logged[1]


# -- a text without text ----------------------------------------------------------------------------
def test_a_text_message_with_an_empty_or_missing_body_is_refused_as_malformed(client, caplog):
    account = make_sandbox_account(make_queue())
    with caplog.at_level(logging.WARNING):
        assert post(client, account, {"events": [sandbox.build_inbound(CUSTOMER, text="")]}) == {"malformed": 1}
        assert post(client, account, {"events": [sandbox.build_inbound(CUSTOMER, text="   ")]}) == {"malformed": 1}
        assert post(client, account, {"events": [sandbox.build_inbound(CUSTOMER)]}) == {"malformed": 1}
        meta = make_account("meta")
        empty = meta_text("wamid.E", "447700900123")
        empty["text"] = {}
        assert post(client, meta, meta_messages(empty, meta_text("wamid.F", "447700900123", ""))) == {"malformed": 2}
    assert nothing_stored()
    assert len(refusals(caplog)) == 5 and all("without text" in line for line in refusals(caplog))


# -- a value the database cannot hold ---------------------------------------------------------------
def test_an_integer_past_2_63_keeps_its_failure_as_text_and_changes_nothing(client, runner):
    account = make_sandbox_account(make_queue())
    assert post(client, account, {"events": [sandbox.build_inbound(CUSTOMER, text="Hello")]}) == {"stored": 1}
    before = get_db().interactions.find_one({})
    card = {"name": {"formatted_name": "Luca"}, "phones": [{"phone": "+393331234567"}], "ref": 2**64}
    event = sandbox.build_inbound(CUSTOMER, "contacts", contacts=[card], message_id="sim.big-number")

    assert post(client, account, {"events": [event]}) == {"failed": 1}

    after = get_db().interactions.find_one({})
    assert after == before, "the failed append left nothing half-written"
    [failure] = list(get_db().webhook_failures.find({}))
    assert "OverflowError" in failure["error"] and "event" not in failure
    kept = json.loads(failure["event_json"])
    assert kept["provider_message_id"] == "sim.big-number" and kept["contacts"][0]["ref"] == 2**64
    result = runner.invoke(args=["replay-webhook-failures"])
    assert "0 replayed, 1 failed again" in result.output
    assert get_db().webhook_failures.find_one({})["replays"] == 1


def test_a_message_over_16_mb_is_a_recorded_failure_not_a_retry_loop(client):
    """A server refuses a document over 16 MB at every retry: the endpoint answers 200 with the event
    counted failed and its start kept for the admin, instead of a 500 the provider retries forever."""
    account = make_sandbox_account(make_queue())
    huge = "x" * (17 * 1024 * 1024)
    event = sandbox.build_inbound(CUSTOMER, text=huge, message_id="sim.huge")

    assert post(client, account, {"events": [event]}) == {"failed": 1}

    assert get_db().interactions.count_documents({}) == 0
    [failure] = list(get_db().webhook_failures.find({}))
    assert failure["error"].startswith("WriteError: object to insert too large")
    assert failure["event_json_chars"] > len(huge) and len(failure["event_json"]) == 1024 * 1024
    assert failure["event_json"].startswith("{") and "sim.huge" in failure["event_json"]

    half = sandbox.build_inbound(CUSTOMER, text=huge[: 9 * 1024 * 1024], message_id="sim.half")
    assert post(client, account, {"events": [half]}) == {"stored": 1}
    # Each message is a document of its own: two of 9 MB make a conversation of 18 MB, not a refusal.
    assert post(client, account, {"events": [{**half, "id": "sim.half-2"}]}) == {"stored": 1}
    interaction = get_db().interactions.find_one({})
    assert interaction["message_count"] == 2 and len(bson.encode(interaction)) < 64 * 1024
    assert get_db().webhook_failures.count_documents({}) == 1


def test_half_an_emoji_escaped_alone_is_stored_as_a_replacement_character(client):
    """A server cannot store a lone surrogate ("\\ud83d" without its pair): the message is kept with
    U+FFFD in its place instead of failing, and a whole emoji still arrives whole."""
    account = make_sandbox_account(make_queue())
    event = sandbox.build_inbound(CUSTOMER, text="Thanks HALF and WHOLE", name="Ana HALF")
    body = json.dumps({"events": [event]}).replace("HALF", "\\ud83d").replace("WHOLE", "\\ud83d\\ude00")

    assert post(client, account, body.encode()) == {"stored": 1}

    stored = get_db().interactions.find_one({})
    assert stored_messages(stored["_id"])[0]["text"] == "Thanks \ufffd and \U0001f600"
    assert get_db().webhook_failures.count_documents({}) == 0


def test_provider_keys_starting_with_a_dollar_or_holding_a_dot_do_not_sink_the_message(client):
    account = make_sandbox_account(make_queue())
    event = sandbox.build_inbound(CUSTOMER, text="Dollar keys")
    event.update({"$where": "1", "extra": {"$ref": "x", "a.b": 1}})

    assert post(client, account, {"events": [event]}) == {"stored": 1}
    assert stored_messages(get_db().interactions.find_one({})["_id"])[0]["text"] == "Dollar keys"


# -- a status is about our message, whatever a customer's message is called -------------------------
def test_a_status_moves_our_message_even_when_a_customers_message_has_the_same_id(client):
    alice = make_user("agent", name="Alice")
    account = make_sandbox_account(make_queue([alice["_id"]]))
    api = Api(client, api_tokens.create_token(alice["_id"], "tests")[0])
    assert post(client, account, {"events": [sandbox.build_inbound("+447700900001", text="First customer")]}) == {"stored": 1}
    assert post(client, account, {"events": [sandbox.build_inbound("+447700900002", text="Second customer")]}) == {"stored": 1}
    second = get_db().interactions.find_one({"contact.phone": "+447700900002"})
    assert api.post(f"/interactions/{second['_id']}/accept").status_code == 200
    sent = api.post(f"/interactions/{second['_id']}/messages", json={"text": "How can I help?"}).get_json()["message"]
    provider_id = send_now(second["_id"], sent["id"])
    same_id = sandbox.build_inbound("+447700900001", text="Odd id", message_id=provider_id)
    assert outcomes(post_events(client, account, same_id)) == {"stored": 1}

    assert post(client, account, {"events": [sandbox.build_status(provider_id, "delivered")]}) == {"applied": 1}

    ours = stored_messages(second["_id"])[-1]
    assert ours["id"] == sent["id"] and ours["status"] == "delivered"
    theirs = stored_messages(get_db().interactions.find_one({"contact.phone": "+447700900001"})["_id"])[-1]
    assert theirs["direction"] == "in" and "status" not in theirs
