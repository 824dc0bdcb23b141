"""Shortcuts for engine tests: a conversation in progress, templates, message look-ups."""

from app.db import get_db
from app.services import clock
from app.services.conversations import delivery, inbound, routing
from tests.support.engine import customer_says, stored_message, stored_messages


def conversation(team, agent="alice", sender="+447700900123", text="Hello"):
    """A customer's message accepted by `agent`; returns the interaction."""
    account = team["account"]
    inbound.ingest(account, customer_says(account, sender, text, timestamp=int(clock.now().timestamp())))
    interaction = get_db().interactions.find_one({"contact.phone": sender, "is_open": True})
    return routing.accept(team[agent], interaction["_id"])


def messages(interaction_id):
    return stored_messages(interaction_id)


def message(interaction_id, message_id):
    return stored_message(interaction_id, message_id)


def deliver(interaction, message_doc):
    return delivery.deliver(str(interaction["_id"]), message_doc["id"])


def make_template(account, name="order_update", body="Hi {{1}}, your order {{2}} is ready.", buttons=None, **flags):
    components = [{"type": "BODY", "text": body}, {"type": "FOOTER", "text": "Parley Shop"}]
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    doc = {
        "account_id": account["_id"],
        "name": name,
        "language": "en",
        "category": "utility",
        "components": components,
        "available_for_agents": flags.get("available_for_agents", True),
        "recontact": flags.get("recontact", False),
    }
    doc["_id"] = get_db().templates.insert_one(doc).inserted_id
    return doc
