"""A customer WhatsApp names by business-scoped user id, without their number: the desktop shows
their profile name and username (never "None"), and the agent's reply goes to the BSUID."""

from playwright.sync_api import expect

from app.providers.events import InboundMessage
from app.services import clock
from app.services.conversations import inbound
from tests.desktop.conftest import META_PHONE_ID, accept_offer
from tests.desktop.support import sent_bodies
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

BSUID = "US.13491208655302741918"


def test_a_customer_without_a_number_is_shown_by_username_and_answered(team, desktop, fake_provider):
    alice = desktop(team["alice"])
    event = InboundMessage(provider="meta", provider_message_id="wamid.BSUID-DESKTOP", sender=None, kind="text",
                           timestamp=clock.now(), text="Is my order on its way?", profile_name="Maria",
                           user_id=BSUID, username="maria.shops")
    assert inbound.ingest(team["meta"], [event]) == {"stored": 1}
    offer = alice.get_by_test_id("offer")
    expect(offer).to_contain_text("Maria")
    expect(offer).to_contain_text("maria.shops")
    expect(offer).not_to_contain_text("None")

    pane = accept_offer(alice, "Maria")
    expect(pane.locator(".dk-chat-sub")).to_have_text("maria.shops · Meta Shop · Support")
    expect(alice.get_by_test_id("tab").filter(has_text="Maria")).not_to_contain_text("None")
    composer = pane.get_by_test_id("composer-input")
    composer.fill("Yes, it ships today.")
    composer.press("Enter")
    bodies = wait_for(lambda: sent_bodies(fake_provider, META_PHONE_ID))
    assert bodies[-1]["recipient"] == BSUID and "to" not in bodies[-1]
    assert bodies[-1]["text"]["body"] == "Yes, it ships today."
    screenshot(alice, "desktop-username-customer")
