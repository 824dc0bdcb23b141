"""A customer's reply to a campaign links the interaction it lands in to the campaign; a quick-reply
answer closes it where the campaign says so; after the response timeout a message is an ordinary one."""

import json
from datetime import timedelta

from app import queues
from app.db import get_db
from app.services import clock
from app.services.campaigns import campaign_replies, sender
from tests.campaigns.test_sending import SEND_PATH, contacts, new_campaign, ok, recipients, setup  # noqa: F401
from tests.providers.support import read_bytes
from tests.support.engine import live_events, stored_messages
from tests.support.jobs import run_inbound
from tests.webhooks.support import path_of, signed

CUSTOMER = "+15550001111"  # the number of the Meta fixtures' customer


def customer_writes(app, account, fixture, message_id, text=None):
    body = json.loads(read_bytes(f"meta/{fixture}.json"))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = message_id
    if text is not None:
        message["text"] = {"body": text}
    headers, raw = signed(account, json.dumps(body).encode())
    assert app.test_client().post(path_of(account), data=raw, headers=headers).status_code == 200
    run_inbound(app)
    return get_db().interactions.find_one({"contact.phone": CUSTOMER}, sort=[("created_at", -1)])


def sent_campaign(setup, fake_provider, **settings):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "Test", "mobile": CUSTOMER})
    campaign = new_campaign(setup, **settings)
    assert sender.run(campaign["_id"]) == "done"
    return campaign


def test_the_reply_links_its_interaction_to_the_campaign_once(app, setup, fake_provider):  # noqa: F811
    campaign = sent_campaign(setup, fake_provider)
    interaction = customer_writes(app, setup["account"], "inbound_text", "wamid.R1", "Is it ready today?")
    recipient_id = recipients(campaign)[CUSTOMER]["_id"]
    assert interaction["campaign"] == {"id": campaign["_id"], "name": "Orders", "recipient_id": recipient_id}
    replied = recipients(campaign)[CUSTOMER]
    assert (replied["state"], replied["interaction_id"]) == ("replied", interaction["_id"])
    assert interaction["is_open"] and interaction["status"] == "queued", "offered to the queue as inbound"
    customer_writes(app, setup["account"], "inbound_text", "wamid.R2", "Hello?")
    assert get_db().campaigns.count_documents({}) == 1 and recipients(campaign)[CUSTOMER]["state"] == "replied"


def test_a_quick_reply_closes_the_interaction_when_the_campaign_says_so(app, setup, fake_provider):  # noqa: F811
    sent_campaign(setup, fake_provider, close_on_quick_reply=True)
    interaction = customer_writes(app, setup["account"], "inbound_button_template_quick_reply", "wamid.R3")
    assert interaction["status"] == "closed" and interaction["campaign"]["name"] == "Orders"
    line = stored_messages(interaction["_id"])[-1]
    assert line["text"] == "Closed automatically: the customer answered the campaign “Orders” with “Unsubscribe”."
    assert get_db().opt_outs.find_one({"_id": CUSTOMER})["word"] == "Unsubscribe", "the button's word opts out too"


def test_after_the_response_timeout_a_message_is_an_ordinary_one(app, setup, fake_provider):  # noqa: F811
    campaign = sent_campaign(setup, fake_provider, response_timeout_days=2)
    key = f"parley:campaign-wait:{setup['account']['_id']}:{CUSTOMER}"
    assert 2 * campaign_replies.DAY - 60 < queues.get_redis().ttl(key) <= 2 * campaign_replies.DAY
    queues.get_redis().delete(key)  # what the expiry does after two days
    clock.advance(timedelta(days=2))
    interaction = customer_writes(app, setup["account"], "inbound_text", "wamid.R4", "Hi")
    assert "campaign" not in interaction and recipients(campaign)[CUSTOMER]["state"] == "sent"


def test_a_reply_that_opens_an_interaction_goes_to_the_campaigns_reply_queue(app, setup, fake_provider):  # noqa: F811
    sales = get_db().queues.insert_one({"name": "Sales", "agent_ids": [], "description": ""}).inserted_id
    sent_campaign(setup, fake_provider, reply_queue_id=str(sales))
    interaction = customer_writes(app, setup["account"], "inbound_text", "wamid.R5", "Tell me more")
    assert (interaction["queue_id"], interaction["queue_name"]) == (sales, "Sales")
    [offer] = [event for event in live_events(interaction["_id"]) if event["event"] == "offer"]
    assert offer["interaction"]["queue_id"] == str(sales), "offered to the reply queue's agents"
