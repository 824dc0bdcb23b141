"""A bot-handled sandbox account and customers writing to it over its real webhook."""

import json

from app.db import get_db
from app.providers import sandbox
from app.services.channel import accounts
from app.services.conversations import message_store
from tests.support.builders import make_user
from tests.support.engine import make_queue, make_sandbox_account
from tests.support.sockets import wait_for
from tests.webhooks.support import path_of, signed

CUSTOMER = "+447700900777"


def bot_account(fake_chat, **chatbot):
    """A sandbox account whose queue has one agent, with its assistant on the fake endpoint."""
    agent = make_user("agent", name="Alice Agent")
    queue = make_queue([agent["_id"]], name="Support")
    account = make_sandbox_account(queue)
    settings = {"enabled": True, "endpoint": fake_chat.base_url, "model": "fake-model", "api_key": fake_chat.key,
                "instructions": "You help bike shop customers.", "handoff_message": "An agent will answer you shortly.",
                **chatbot}
    accounts.update(str(account["_id"]), {"settings": {"chatbot": settings}})
    return get_db().accounts.find_one({"_id": account["_id"]}), agent


def customer_sends(client, account, text="Hello", sender=CUSTOMER, kind="text", **fields):
    """POST one customer message to the account's webhook (signed as the simulator signs); its provider id."""
    event = sandbox.build_inbound(sender, kind, text=text if kind == "text" else None, **fields)
    headers, body = signed(account, json.dumps({"events": [event]}).encode())
    response = client.post(path_of(account), data=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return event["id"]


def interaction_of(account, sender=CUSTOMER):
    return wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"], "contact.phone": sender}))


def fresh(interaction):
    return get_db().interactions.find_one({"_id": interaction["_id"]})


def lines(interaction):
    """(author, text, status) of each stored message, oldest first."""
    return [(m.get("author"), m.get("text"), m.get("status")) for m in message_store.all_of(interaction["_id"])]


def bot_messages(interaction):
    return [m for m in message_store.all_of(interaction["_id"]) if m.get("author") == "bot"]
