"""Interactive messages end to end: composed by an agent, sent by a real worker to the fake Meta API
as Meta documents the body, the customer's choice shown as a reply to it, and the account's reply
routing and closing rules applied by the real inbound worker."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from app.db import get_db
from app.providers.events import InboundMessage
from app.providers.sandbox import build_inbound
from app.services import clock
from app.services.conversations import inbound, outbound, routing
from app.services.errors import Conflict, ValidationFailed
from tests.engine.helpers import message, messages
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import make_user
from tests.support.engine import make_queue, make_sandbox_account
from tests.support.jobs import run_inbound
from tests.webhooks.support import make_account, post_events, post_fixture

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers" / "meta"
MESSAGES = "/v23.0/100000000000001/messages"
CUSTOMER = "+15550001111"
# The message the Meta fixture inbound_interactive_button_reply.json answers (its context.id).
ANSWERED = "wamid.FAKE000000000000000000000013="


def documented(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def meta(app, fake_provider):
    """An agent holding a Meta conversation with the window open."""
    agent = make_user("agent", name="Alice")
    queue = make_queue([agent["_id"]])
    account = make_account("meta", queue=queue, api_base=f"{fake_provider.url}/v23.0", phone="+15550001000")
    said = InboundMessage(provider="meta", provider_message_id="wamid.IN1", sender=CUSTOMER, kind="text", timestamp=clock.now(),
                          text="Hi")
    inbound.ingest(account, [said])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    return agent, account, interaction


def send(app, fake_provider, agent, interaction, content, wamid="wamid.OUT1"):
    """Compose as the agent, let a real outbound worker send it; the body Meta received."""
    fake_provider.script("POST", MESSAGES, FakeResponse(200, {"messaging_product": "whatsapp", "messages": [{"id": wamid}]}))
    sent, warnings = outbound.compose(agent, interaction["_id"], {"kind": "interactive", "interactive": content})
    assert warnings == []
    run_inbound(app, ("outbound",))
    [request] = fake_provider.requests_to(MESSAGES)
    assert message(interaction["_id"], sent["id"])["status"] == "sent"
    body = dict(request.json)
    assert body.pop("biz_opaque_callback_data") == sent["id"]
    return sent, body


def test_reply_buttons_reach_meta_exactly_as_documented(app, fake_provider, meta):
    agent, _, interaction = meta
    content = {
        "type": "button",
        "body": "<BUTTON_TEXT>",
        "buttons": [
            {"id": "<UNIQUE_BUTTON_ID_1>", "title": "<BUTTON_TITLE_1>"},
            {"id": "<UNIQUE_BUTTON_ID_2>", "title": "<BUTTON_TITLE_2>"},
        ],
    }
    sent, body = send(app, fake_provider, agent, interaction, content)
    assert body == documented("send_interactive_reply_buttons.json")
    stored = message(interaction["_id"], sent["id"])
    assert stored["kind"] == "interactive" and stored["interactive"]["buttons"][1]["id"] == "<UNIQUE_BUTTON_ID_2>"
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["last_message"]["preview"] == "<BUTTON_TEXT>"


def test_the_interaction_page_shows_what_an_interactive_message_offered(app, fake_provider, meta, admin_client):
    agent, _, interaction = meta
    content = {
        "type": "list",
        "body": "Pick a <slot>",
        "list": {
            "button": "Slots",
            "sections": [{"title": "Monday", "rows": [{"id": "mon-9", "title": "09:00", "description": "Shop"}]}],
        },
    }
    send(app, fake_provider, agent, interaction, content)
    page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "Pick a &lt;slot&gt;" in page and "☰ Slots" in page and "Monday · 09:00 — Shop" in page
    export = admin_client.get(f"/interactions/{interaction['_id']}/export.zip")
    transcript = zipfile.ZipFile(io.BytesIO(export.data)).read("transcript.html").decode()
    assert "Pick a &lt;slot&gt;" in transcript and "☰ Slots" in transcript and "Monday · 09:00 — Shop" in transcript


@pytest.mark.parametrize(
    ("fixture", "part"),
    [
        ("send_interactive_list.json", lambda action: {"list": {"button": action["button"], "sections": action["sections"]}}),
        ("send_interactive_cta_url.json", lambda action: {"cta": action["parameters"]}),
    ],
)
def test_a_list_and_a_url_button_reach_meta_exactly_as_documented(app, fake_provider, meta, fixture, part):
    agent, _, interaction = meta
    expected = documented(fixture)["interactive"]
    texts = {name: expected[name]["text"] for name in ("header", "body", "footer")}
    _, body = send(app, fake_provider, agent, interaction, {"type": expected["type"], **texts, **part(expected["action"])})
    assert body == documented(fixture)


def test_the_customers_choice_is_stored_as_a_reply_to_the_buttons(app, client, fake_provider, meta):
    agent, account, interaction = meta
    content = {"type": "button", "body": "Keep the booking?", "buttons": [{"id": "cancel-button", "title": "Cancel"}]}
    sent, _ = send(app, fake_provider, agent, interaction, content, wamid=ANSWERED)
    response = post_fixture(client, account, "meta/inbound_interactive_button_reply.json")
    assert response.applied.get("stored") == 1
    reply = messages(interaction["_id"])[-1]
    assert reply["kind"] == "button_reply" and reply["direction"] == "in"
    assert reply["reply"] == {"id": "cancel-button", "title": "Cancel"}
    assert reply["reply_to"] == ANSWERED == message(interaction["_id"], sent["id"])["provider_message_id"]


def test_outside_the_window_the_composer_refuses_and_says_to_use_a_template(meta):
    agent, _, interaction = meta
    clock.advance(timedelta(hours=25))
    content = {"type": "button", "body": "Still there?", "buttons": [{"id": "y", "title": "Yes"}]}
    with pytest.raises(Conflict, match="Send a template instead"):
        outbound.compose(agent, interaction["_id"], {"kind": "interactive", "interactive": content})
    assert [m["kind"] for m in messages(interaction["_id"])] == ["text"]


def test_providers_without_interactive_messages_refuse_them(app):
    agent = make_user("agent", name="Tom")
    account = make_account("twilio", queue=make_queue([agent["_id"]]))
    get_db().interactions.insert_one(
        {"account_id": account["_id"], "queue_id": account["queue_id"], "contact": {"phone": CUSTOMER}, "is_open": True,
         "status": "open", "agent_id": agent["_id"], "window_expires_at": clock.now() + timedelta(hours=1),
         "seq": 0, "messages_len": 0}
    )
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    content = {"type": "button", "body": "Pick", "buttons": [{"id": "y", "title": "Yes"}]}
    with pytest.raises(ValidationFailed) as refused:
        outbound.compose(agent, interaction["_id"], {"kind": "interactive", "interactive": content})
    assert refused.value.fields == {"kind": "Not supported by this provider."}


# -- the account's rules, applied by the inbound worker ------------------------------------------
def choice(sender, choice_id, title, kind="button_reply"):
    return build_inbound(sender, kind, reply={"id": choice_id, "title": title}, text=title)


@pytest.fixture
def two_queues(app):
    first, second = make_user("agent", name="Fiona"), make_user("agent", name="Sam")
    sales, support = make_queue([first["_id"]], name="Sales"), make_queue([second["_id"]], name="Support")
    return sales, support


@pytest.mark.parametrize("kind", ["button_reply", "list_reply"])
def test_a_routed_choice_moves_a_waiting_interaction_to_its_queue(client, two_queues, kind):
    sales, support = two_queues
    account = make_sandbox_account(sales, reply_routes=[{"id": "help", "queue_id": support["_id"]}])
    post_events(client, account, build_inbound("+447700900001", text="Hi"))
    response = post_events(client, account, choice("+447700900001", "help", "I need help", kind))
    assert response.applied.get("stored") == 1
    interaction = get_db().interactions.find_one({})
    assert interaction["queue_id"] == support["_id"] and interaction["status"] == "queued"
    assert interaction["transfers"][-1]["to_queue"] == "Support" and interaction["transfers"][-1]["reason"] == "reply"
    assert messages(interaction["_id"])[-1]["text"] == "Moved to queue Support: the customer chose “I need help”"


def test_a_routed_choice_leaves_an_agents_interaction_with_the_agent(client, two_queues):
    sales, support = two_queues
    account = make_sandbox_account(sales, reply_routes=[{"id": "help", "queue_id": support["_id"]}])
    post_events(client, account, build_inbound("+447700900002", text="Hi"))
    fiona = get_db().users.find_one({"name": "Fiona"})
    routing.accept(fiona, get_db().interactions.find_one({})["_id"])
    post_events(client, account, choice("+447700900002", "help", "I need help"))
    interaction = get_db().interactions.find_one({})
    assert interaction["queue_id"] == sales["_id"] and interaction["agent_id"] == fiona["_id"]
    assert "transfers" not in interaction


def test_other_choices_route_nowhere(client, two_queues):
    sales, support = two_queues
    account = make_sandbox_account(sales, reply_routes=[{"id": "help", "queue_id": support["_id"]}])
    post_events(client, account, build_inbound("+447700900003", text="Hi"), choice("+447700900003", "other", "Other"))
    assert get_db().interactions.find_one({})["queue_id"] == sales["_id"]


def test_a_closing_choice_closes_the_interaction(client, two_queues):
    sales, _ = two_queues
    account = make_sandbox_account(sales, closing_reply_ids=["done"])
    post_events(client, account, build_inbound("+447700900004", text="Hi"))
    post_events(client, account, choice("+447700900004", "done", "All sorted"))
    interaction = get_db().interactions.find_one({})
    assert interaction["status"] == "closed" and interaction["closed_by"] == "system"
    assert messages(interaction["_id"])[-1]["text"] == "Closed automatically: the customer chose “All sorted”."


def test_a_typed_text_equal_to_a_closing_id_closes_nothing(client, two_queues):
    sales, _ = two_queues
    account = make_sandbox_account(sales, closing_reply_ids=["done"])
    post_events(client, account, build_inbound("+447700900005", text="done"))
    assert get_db().interactions.find_one({})["is_open"] is True
