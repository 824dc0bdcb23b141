"""An agent's interactive messages on the simulated phone, in Chromium: the buttons and the list's rows
show as WhatsApp shows them, and a tap goes back through the signed sandbox webhook as the customer's
structured reply (id + title), answering that message, where the account's rules act on it (a closing
button closes the conversation)."""

from playwright.sync_api import expect

from app.db import get_db
from app.services import config_cache, demo
from app.services.conversations import outbound, routing
from app.services.people import users
from tests.simulator.test_simulator_browser import open_simulator
from tests.support.browser import screenshot
from tests.support.engine import stored_messages
from tests.webhooks.support import send_now

MENU = {
    "type": "list",
    "body": "What do you need help with?",
    "list": {
        "button": "Choose",
        "sections": [
            {
                "title": "Topics",
                "rows": [
                    {"id": "billing", "title": "Billing", "description": "Invoices and refunds"},
                    {"id": "delivery", "title": "Delivery"},
                ],
            }
        ],
    },
}
DONE = {
    "type": "button",
    "body": "Anything else?",
    "buttons": [{"id": "more", "title": "Yes"}, {"id": "done", "title": "No, thanks"}],
}


def _send(agent, interaction, content):
    sent, warnings = outbound.compose(agent, interaction["_id"], {"kind": "interactive", "interactive": content})
    assert warnings == []
    send_now(interaction["_id"], sent["id"])
    return sent


def test_the_customer_taps_a_list_row_and_a_closing_button(new_page):
    page, phone = open_simulator(new_page, "admin@parley.example")
    page.fill("[data-testid=sim-text]", "Hello")
    page.click("[data-testid=sim-send]")
    page.wait_for_selector("[data-testid=sim-customer-message] >> text=Hello")
    account = get_db().accounts.find_one({"name": demo.DEMO_ACCOUNT})
    interaction = get_db().interactions.find_one({"contact.phone": phone})
    agent = users.find_by_email("agent1@parley.example")
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.closing_reply_ids": ["done"]}})
    config_cache.changed()  # as the account form does: every process drops its cached accounts

    routing.accept(agent, interaction["_id"])
    menu = _send(agent, interaction, MENU)
    bubble = page.locator("[data-testid=sim-agent-message]").filter(has_text="What do you need help with?")
    expect(bubble.get_by_test_id("sim-list-row")).to_have_count(2)
    expect(bubble.get_by_test_id("sim-list-row").first).to_be_hidden()
    bubble.get_by_test_id("sim-list-open").click()
    bubble.get_by_test_id("sim-list-row").filter(has_text="Billing").click()
    expect(page.locator("[data-testid=sim-customer-message][data-kind=list_reply]")).to_contain_text("Billing")
    choice = stored_messages(interaction["_id"])[-1]
    assert choice["kind"] == "list_reply" and choice["reply"]["id"] == "billing" and choice["reply"]["title"] == "Billing"
    assert (
        choice["reply_to"]
        == get_db().messages.find_one({"interaction_id": interaction["_id"], "id": menu["id"]})["provider_message_id"]
    )

    _send(agent, interaction, DONE)
    buttons = page.locator("[data-testid=sim-agent-message]").filter(has_text="Anything else?").get_by_test_id("sim-button")
    expect(buttons).to_have_text(["Yes", "No, thanks"])
    buttons.filter(has_text="No, thanks").click()
    expect(page.locator("[data-testid=sim-customer-message][data-kind=button_reply]")).to_contain_text("No, thanks")
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["is_open"] is False
    assert stored_messages(interaction["_id"])[-1]["text"] == "Closed automatically: the customer chose “No, thanks”."
    assert page.errors == []
    screenshot(page, "simulator-interactive")
