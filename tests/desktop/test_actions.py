"""The desktop's other actions in Chromium: reject, close with disposition and tags, transfer,
opening a tab from a link, retrying a failed download, and a tablet-width layout."""

import re

from playwright.sync_api import expect

from app.db import get_db
from app.services.conversations import routing
from tests.desktop.conftest import accept_offer, says
from tests.support.browser import screenshot
from tests.support.engine import stored_messages
from tests.support.sockets import wait_for


def test_reject_close_with_disposition_and_tags_and_transfer(team, desktop):
    alice, bob = desktop(team["alice"]), desktop(team["bob"])
    says(team["sandbox"], "+447700900301", "First question", name="Rita Reject")
    alice.get_by_test_id("offer").filter(has_text="Rita").get_by_test_id("offer-reject").click()
    expect(alice.get_by_test_id("offer").filter(has_text="Rita")).to_have_count(0)
    pane = accept_offer(bob, "Rita")

    pane.get_by_test_id("chat-menu").click()
    bob.get_by_test_id("action-close").click()
    dialog = bob.get_by_test_id("close-dialog")
    dialog.get_by_test_id("close-disposition").select_option("Solved")
    dialog.get_by_test_id("close-tag").first.check()
    dialog.get_by_test_id("dialog-confirm").click()
    expect(bob.get_by_test_id("tab").filter(has_text="Rita")).to_have_count(0)  # closing also closes the tab
    assert wait_for(lambda: get_db().interactions.find_one({"contact.phone": "+447700900301"})["status"] == "closed")
    closed = get_db().interactions.find_one({"contact.phone": "+447700900301"})
    assert stored_messages(closed["_id"])[-1]["text"] == "Closed by Bob Agent · Solved"
    assert closed["status"] == "closed" and closed["disposition"] == "Solved" and closed["tags"] == ["billing"]
    assert team["alice"]["_id"] in closed["rejected_by"]

    says(team["sandbox"], "+447700900302", "Please transfer me", name="Tom Transfer")
    pane = accept_offer(alice, "Tom")
    pane.get_by_test_id("chat-menu").click()
    alice.get_by_test_id("action-transfer").click()
    transfer = alice.get_by_test_id("transfer-dialog")
    transfer.get_by_test_id("transfer-agent").select_option(label="Bob Agent")
    transfer.get_by_test_id("dialog-confirm").click()
    expect(alice.get_by_test_id("tab").filter(has_text="Tom")).to_have_count(0)  # no longer hers
    expect(bob.get_by_test_id("tab").filter(has_text="Tom")).to_be_visible()  # opened for the new owner
    bob_pane = bob.locator("[data-testid=pane]:visible")
    bob.get_by_test_id("tab").filter(has_text="Tom").click()
    expect(bob_pane.get_by_test_id("message").last).to_contain_text("Transferred by Alice Agent to Bob Agent")
    assert get_db().interactions.find_one({"contact.phone": "+447700900302"})["agent_id"] == team["bob"]["_id"]
    screenshot(bob, "desktop-after-transfer")


def test_a_link_opens_the_tab_and_a_failed_download_can_be_retried(team, desktop):
    says(
        team["sandbox"],
        "+447700900303",
        None,
        kind="image",
        name="Ivy Image",
        media={"url": "data:image/png;base64,not-base64!", "mime_type": "image/png"},
    )
    interaction = get_db().interactions.find_one({"contact.phone": "+447700900303"})
    routing.accept(team["alice"], interaction["_id"])
    alice = desktop(team["alice"])
    alice.goto(f"/desktop/?open={interaction['_id']}")
    pane = alice.locator("[data-testid=pane]:visible")
    expect(alice.get_by_test_id("tab").filter(has_text="Ivy")).to_be_visible()
    missing = pane.get_by_text("could not be downloaded")
    expect(missing).to_be_visible(timeout=15_000)

    def failed_at():
        media = stored_messages(interaction["_id"])[0]["media"]
        return (media.get("error") or {}).get("at")

    first_failure = failed_at()
    pane.get_by_role("button", name="Try again").click()
    assert wait_for(lambda: failed_at() not in (None, first_failure)), "the retry did not run"
    expect(pane.get_by_text("could not be downloaded")).to_be_visible(timeout=15_000)  # the data is still broken


def test_the_desktop_works_at_tablet_width_with_the_keyboard(team, desktop):
    says(team["sandbox"], "+447700900304", "Hello from a tablet user", name="Tara Tablet")
    alice = desktop(team["alice"], viewport=(820, 1100))
    pane = accept_offer(alice, "Tara")
    box = pane.get_by_role("textbox").first
    expect(box).to_be_visible()
    box.focus()
    alice.keyboard.type("Typed and sent with the keyboard")
    alice.keyboard.press("Enter")
    expect(pane.get_by_test_id("message").last).to_contain_text("Typed and sent with the keyboard")
    screenshot(alice, "desktop-tablet")


def test_an_offer_in_a_background_tab_changes_the_title_and_rings(team, desktop):
    alice = desktop(team["alice"])
    alice.evaluate("""() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    says(team["sandbox"], "+447700900305", "Anyone there?", name="Bea Background")
    expect(alice.get_by_test_id("offer").filter(has_text="Bea")).to_be_visible()
    expect(alice).to_have_title(re.compile(r"^\(1 new\)"))
    assert alice.evaluate("window.parley.desktop.offers.alerts") == 1  # the chime rang once
    alice.evaluate("""() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    assert alice.evaluate("window.parley.desktop.offers.alerts") == 0


def test_a_customer_reaction_to_the_last_reply_shows_as_acknowledged(team, desktop, admin_client):
    from app.providers.sandbox import build_inbound
    from app.services.conversations import inbound
    from tests.desktop.conftest import _events

    says(team["sandbox"], "+447700900306", "Is it shipped?", name="Ada Ack")
    alice = desktop(team["alice"])
    pane = accept_offer(alice, "Ada")
    box = pane.get_by_role("textbox").first
    box.fill("Yes, it left this morning")
    box.press("Enter")
    interaction = get_db().interactions.find_one({"contact.phone": "+447700900306"})
    assert wait_for(
        lambda: next(
            (
                m.get("provider_message_id")
                for m in stored_messages(interaction["_id"])
                if m["direction"] == "out"
            ),
            None,
        )
    )
    reply = next(m for m in stored_messages(interaction["_id"]) if m["direction"] == "out")
    inbound.ingest(
        team["sandbox"],
        _events(build_inbound("+447700900306", "reaction", reaction={"message_id": reply["provider_message_id"], "emoji": "👍"})),
    )
    expect(pane.get_by_text("👍 acknowledged the last reply")).to_be_visible()
    listing = admin_client.get("/interactions/").get_data(as_text=True)
    assert "customer acknowledged" in listing
