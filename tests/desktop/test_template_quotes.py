"""A customer's quick-reply answer to a template quotes the template by its text in the desktop,
as the read-only Show page does."""

from playwright.sync_api import expect

from app.services.conversations import outbound
from tests.desktop.conftest import accept_offer, says
from tests.desktop.support import interaction_of, messages_of
from tests.engine.helpers import make_template
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

PHONE = "+447700900431"


def test_quick_reply_quotes_the_template_text(team, desktop):
    alice = desktop(team["alice"])
    sandbox = team["sandbox"]
    says(sandbox, PHONE, "Is my order ready?", name="Olga Petrova")
    pane = accept_offer(alice, "Olga Petrova")
    interaction = interaction_of(PHONE)
    template = make_template(sandbox, name="order_ready", buttons=[{"type": "QUICK_REPLY", "text": "Thanks!"}])
    outbound.compose(
        team["alice"],
        interaction["_id"],
        {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["Olga", "A-42"]}},
    )
    sent_id = wait_for(lambda: messages_of(interaction["_id"])[-1].get("provider_message_id"))

    says(sandbox, PHONE, kind="button_reply", reply={"title": "Thanks!", "payload": "Thanks!"}, context_message_id=sent_id)
    answer = pane.locator("[data-testid=message][data-direction=in]").last
    expect(answer.get_by_test_id("quote")).to_contain_text("Hi Olga, your order A-42 is ready.")

    # The same after a reload, from the page the server sends.
    alice.reload()
    pane = alice.locator("[data-testid=pane]:visible")
    answer = pane.locator("[data-testid=message][data-direction=in]").last
    expect(answer.get_by_test_id("quote")).to_contain_text("Hi Olga, your order A-42 is ready.")
    screenshot(alice, "desktop-quick-reply-quote")
