"""A Kaleyra v1 quick-reply answer to a template is a template quick reply, as on Meta: the
account's "close on quick reply" setting closes the interaction."""

from app.db import get_db
from app.domain import messages as msgs
from app.services import clock
from app.services.conversations import lifecycle
from tests.support.engine import stored_messages
from tests.webhooks.support import deliver, make_account, outcomes, signed

CUSTOMER = "447700900433"


def post(client, account, body):
    headers, body = signed(account, body)
    response = deliver(client, account, body, headers)
    assert response.status_code == 200, response.get_json()
    return outcomes(response)


def template_sent(interaction_id, provider_message_id):
    """The template the agent sent, as the send job leaves it once Kaleyra accepted it."""
    message = {
        "id": msgs.new_id(),
        "provider_message_id": provider_message_id,
        "direction": "out",
        "author": "agent",
        "kind": "template",
        "template": {"name": "delivery_check", "rendered": {"body": "Is noon a good time?"}},
        "status": "sent",
        "at": clock.now(),
        "reactions": {},
    }
    lifecycle.append_line({"_id": interaction_id}, {"$inc": {"messages_len": 1, "message_count": 1}}, message)


def customer_answers(client, account, kind):
    first = {"from": CUSTOMER, "wanumber": account["phone"].lstrip("+"), "type": "text", "body": "Deliver tomorrow?"}
    assert post(client, account, first) == {"stored": 1}
    interaction = get_db().interactions.find_one({})
    template_sent(interaction["_id"], "kaleyra-tpl-1")
    answer = {
        "from": CUSTOMER,
        "wanumber": account["phone"].lstrip("+"),
        "type": kind,
        "body": "Yes",
        "custom_response": "YES_NOON",
        "reply_to": "kaleyra-tpl-1",
    }
    assert post(client, account, answer) == {"stored": 1}
    return get_db().interactions.find_one({"_id": interaction["_id"]})


def test_a_kaleyra_quick_reply_to_a_template_closes_when_the_account_says_so(client):
    account = make_account("kaleyra")
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.close_on_quick_reply": True}})
    doc = customer_answers(client, account, "quick_reply")
    reply = stored_messages(doc["_id"])[2]
    assert reply["kind"] == "template_reply" and reply["reply_to"] == "kaleyra-tpl-1"
    assert reply["reply"]["title"] == "Yes" and reply["reply"]["payload"] == "YES_NOON"
    assert doc["status"] == "closed"
    assert stored_messages(doc["_id"])[-1]["text"] == "Closed automatically: the customer answered with a quick reply."


def test_a_kaleyra_interactive_reply_leaves_the_interaction_open(client):
    account = make_account("kaleyra")
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.close_on_quick_reply": True}})
    doc = customer_answers(client, account, "interactive")
    assert stored_messages(doc["_id"])[2]["kind"] == "button_reply" and doc["is_open"]
