"""In Chromium: a customer's edit and deletion reach an open conversation live, and a failure the error
table knows shows its meaning and what to do (the raw code only for admins)."""

from playwright.sync_api import expect

from app.db import get_db
from app.providers import InboundMessage, StatusUpdate
from app.providers.meta_format import meta_error
from app.services import clock
from app.services.conversations import inbound
from tests.desktop.conftest import accept_offer, says
from tests.media.support import wait_for
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD, make_user

PHONE = "+447700900655"


def _customer_message_id(text):
    return get_db().messages.find_one({"text": text, "direction": "in"})["provider_message_id"]


def _customer_changes(account, kind, target, text=None):
    event = InboundMessage("meta", f"wamid.{kind}.{target}", PHONE, kind, clock.now(), text=text, target_message_id=target)
    inbound.ingest(account, [event])


def test_edits_deletions_and_a_known_failure_in_the_desktop(team, desktop, new_page):
    alice = desktop(team["alice"])
    meta = team["meta"]
    says(meta, PHONE, "My order number is 4521", name="Rosa Editing")
    says(meta, PHONE, "My card PIN is 8832, oops")
    pane = accept_offer(alice, "Rosa Editing")
    incoming = pane.locator("[data-testid=message][data-direction=in]")
    expect(incoming).to_have_count(2)

    _customer_changes(meta, "edit", _customer_message_id("My order number is 4521"), "My order number is 4512")
    first = incoming.first
    expect(first.get_by_test_id("message-text")).to_have_text("My order number is 4512")
    expect(first.get_by_test_id("edited")).to_be_visible()
    expect(first.get_by_test_id("edit-history")).to_have_count(0)  # earlier versions are for admins

    _customer_changes(meta, "revoke", _customer_message_id("My card PIN is 8832, oops"))
    second = incoming.nth(1)
    expect(second.get_by_test_id("deleted")).to_have_text("Deleted by the customer")
    expect(second.get_by_test_id("message-text")).to_have_count(0)
    assert "8832" not in pane.inner_text()

    composer = pane.get_by_test_id("composer-input")
    composer.fill("A discount for you: 20% off")
    composer.press("Enter")
    outgoing = pane.locator("[data-testid=message][data-direction=out]")
    sent = wait_for(
        lambda: get_db().messages.find_one({"direction": "out", "provider_message_id": {"$exists": True}}), timeout=30
    )
    error = meta_error(
        131049, "Message not delivered", "In order to maintain a healthy ecosystem engagement, the message failed."
    )
    inbound.ingest(meta, [StatusUpdate("meta", sent["provider_message_id"], "failed", clock.now(), error=error)])
    failure = outgoing.last.get_by_test_id("failure")
    expect(failure).to_contain_text(
        "Marketing limit for this customer. Parley will not try again. Do not send it again now", timeout=30000
    )
    expect(failure.get_by_test_id("error-code")).to_have_count(0)
    assert "healthy ecosystem" not in pane.inner_text()
    screenshot(alice, "desktop-edits-and-known-failure")

    # An admin opening the same conversation sees the record: the original words, the deleted ones, the code.
    interaction = get_db().interactions.find_one({"contact.phone": PHONE})
    admin = new_page()
    sign_in_page(admin, make_user("admin", name="Ada Admin")["email"], PASSWORD)
    admin.goto(f"/desktop/?open={interaction['_id']}")
    record = admin.locator("[data-testid=pane]:visible")
    history = record.locator("[data-testid=message][data-direction=in]").first.get_by_test_id("edit-history")
    expect(history).to_contain_text("My order number is 4521")
    expect(record.get_by_test_id("deleted")).to_have_text("Deleted by the customer · kept for admins")
    expect(record).to_contain_text("My card PIN is 8832, oops")
    expect(record.get_by_test_id("error-code")).to_have_text("code 131049")
