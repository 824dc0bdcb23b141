"""What stays in the agent's way, or stays after it no longer applies: offers beside the work area,
a lost accept race, stale notices, the note placeholder, and a tab strip with more tabs than fit."""

from playwright.sync_api import expect

from app.db import get_db
from app.services.conversations import lifecycle, routing
from tests.desktop.conftest import accept_offer, says
from tests.desktop.support import interaction_of
from tests.support.browser import screenshot
from tests.support.builders import make_user
from tests.support.sockets import wait_for

QUICK = 2000  # a covered element fails Playwright's actionability check within this time


def overlaps(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_pending_offers_never_cover_the_tabs_the_menu_the_sidebar_or_the_composer(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, "+447700900801", "I need help", name="Wendy Working")
    accept_offer(alice, "Wendy")
    says(account, "+447700900802", "Hello? Is anyone there to help me with my order?", name="Oscar Offer")
    says(account, "+447700900803", "Second waiting customer", name="Olga Offer")
    offers = alice.get_by_test_id("offer")
    expect(offers).to_have_count(2)
    screenshot(alice, "desktop-two-offers")
    pane = alice.locator("[data-testid=pane]:visible")
    work = {
        "tab strip": alice.get_by_test_id("tabs"),
        "conversation menu": pane.get_by_test_id("chat-menu"),
        "sidebar": pane.get_by_test_id("sidebar"),
        "composer": pane.get_by_test_id("composer"),
    }
    for n in range(2):
        card = offers.nth(n).bounding_box()
        for what, locator in work.items():
            assert not overlaps(card, locator.bounding_box()), f"offer {n + 1} covers the {what}"

    # Every control of the work area takes clicks and typing while the offers wait.
    alice.get_by_test_id("tab").filter(has_text="Wendy").get_by_role("tab").click(timeout=QUICK)
    alice.get_by_test_id("tab").filter(has_text="Wendy").get_by_test_id("tab-close").hover(timeout=QUICK)
    pane.get_by_test_id("chat-menu").click(timeout=QUICK)
    expect(alice.get_by_test_id("action-close")).to_be_visible()
    alice.keyboard.press("Escape")
    form = pane.get_by_test_id("contact-form")
    for label in ("First name", "Last name", "Email", "Company"):
        form.get_by_label(label).click(timeout=QUICK)
    form.get_by_label("Company").fill("Acme", timeout=QUICK)
    form.get_by_test_id("contact-save").click(timeout=QUICK)
    expect(form.get_by_test_id("contact-status")).to_have_text("Saved.")
    composer = pane.get_by_test_id("composer-input")
    composer.click(timeout=QUICK)
    composer.type("Still with you")
    pane.get_by_test_id("send").click(timeout=QUICK)
    expect(pane.locator("[data-testid=message][data-direction=out]")).to_contain_text("Still with you")
    expect(offers).to_have_count(2)

    # The offers work from the keyboard.
    offers.filter(has_text="Olga").get_by_test_id("offer-reject").focus()
    alice.keyboard.press("Enter")
    expect(offers).to_have_count(1)
    offers.filter(has_text="Oscar").get_by_test_id("offer-accept").focus()
    alice.keyboard.press("Enter")
    expect(alice.get_by_test_id("tab").filter(has_text="Oscar")).to_be_visible()
    expect(offers).to_have_count(0)


def test_an_accept_that_loses_the_race_says_who_won_without_an_error(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], "+447700900811", "Quick, please", name="Rachel Race")
    offer = alice.get_by_test_id("offer").filter(has_text="Rachel")
    expect(offer).to_be_visible()
    held = []
    alice.route("**/accept", lambda route: held.append(route))  # Alice's accept is on its way while Bob wins
    offer.get_by_test_id("offer-accept").click()
    assert wait_for(lambda: held)
    routing.accept(team["bob"], interaction_of("+447700900811")["_id"])
    expect(offer.get_by_test_id("offer-status")).to_have_text("Assigned to Bob Agent")
    held[0].continue_()  # now the server refuses hers (409)
    alice.wait_for_load_state("networkidle")
    expect(offer.get_by_test_id("offer-status")).to_have_text("Assigned to Bob Agent")
    expect(offer).to_have_count(0, timeout=8000)
    expect(alice.get_by_test_id("tab")).to_have_count(0)
    # The desktop fixture fails the test on any JavaScript error of the page.


def test_notices_go_once_they_no_longer_apply(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], "+447700900821", "Here is my colleague", name="Nina Notice")
    pane = accept_offer(alice, "Nina")
    notice = pane.get_by_test_id("composer-notice")
    composer = pane.get_by_test_id("composer-input")

    # A refused file, then a text that goes: the refusal no longer applies.
    pane.get_by_test_id("file-input").set_input_files(
        {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ" + b"\0" * 64}
    )
    expect(notice).to_contain_text("setup.exe: .exe files are refused for safety.")
    composer.fill("Please send a PDF instead")
    composer.press("Enter")
    expect(pane.locator("[data-testid=message][data-direction=out]")).to_contain_text("Please send a PDF instead")
    expect(notice).to_be_empty()

    # A contact card added to the contacts, then the interaction is closed by a supervisor.
    says(
        team["sandbox"],
        "+447700900821",
        None,
        kind="contacts",
        contacts=[{"name": {"formatted_name": "Carl Card"}, "phones": [{"phone": "+447700900829"}]}],
    )
    card = pane.locator("[data-testid=message][data-kind=contacts]")
    card.get_by_test_id("contact-card-menu").click()
    alice.get_by_test_id("add-contact").click()
    expect(notice).to_contain_text("Carl Card was added to the contacts")
    lifecycle.close(make_user("admin", name="Sam Supervisor"), interaction_of("+447700900821")["_id"])
    expect(pane.get_by_test_id("state-line")).to_have_text("This interaction is closed.")
    expect(notice).to_be_empty()


def test_a_crowded_tab_strip_keeps_the_active_tab_in_sight_and_says_what_is_hidden(team, desktop):
    account = team["sandbox"]
    ids = []
    for n in range(9):
        phone = f"+4477009008{n + 40}"
        says(account, phone, f"Hello {n}", name=f"Customer Number{n} Longname")
        ids.append(str(routing.accept(team["alice"], interaction_of(phone)["_id"])["_id"]))
    alice = desktop(team["alice"])
    for iid in ids:
        alice.evaluate("(id) => window.parley.desktop.openTab(id, { focus: true })", iid)
    tabs = alice.get_by_test_id("tab")
    expect(tabs).to_have_count(9)
    strip = alice.get_by_test_id("tabs")

    def in_strip(name):
        box, view = tabs.filter(has_text=name).bounding_box(), strip.bounding_box()
        return box["x"] >= view["x"] - 1 and box["x"] + box["width"] <= view["x"] + view["width"] + 1

    left, right = alice.get_by_test_id("tabs-more-left"), alice.get_by_test_id("tabs-more-right")
    assert wait_for(lambda: in_strip("Number8"))
    expect(left).to_be_visible()
    expect(right).to_be_hidden()
    hidden_left = int(left.inner_text().strip("‹ "))
    assert hidden_left >= 3
    expect(left).to_have_attribute("aria-label", f"{hidden_left} more tabs to the left")
    screenshot(alice, "desktop-crowded-tabs")

    # From the list, the first conversation: its tab scrolls into sight, the hint moves to the right.
    alice.get_by_test_id("open-list-toggle").click()
    alice.get_by_test_id("open-row").filter(has_text="Number0").click()
    assert wait_for(lambda: in_strip("Number0"))
    expect(right).to_be_visible()
    expect(left).to_be_hidden()
    # Arrow keys wrap round to the last tab, which comes into sight too.
    tabs.filter(has_text="Number0").get_by_role("tab").focus()
    alice.keyboard.press("ArrowLeft")
    expect(tabs.filter(has_text="Number8").get_by_role("tab")).to_have_attribute("aria-selected", "true")
    assert wait_for(lambda: in_strip("Number8"))
    # The left hint brings the nearest hidden tab into sight.
    before = int(left.inner_text().strip("‹ "))
    left.click()
    assert wait_for(lambda: left.is_hidden() or int(left.inner_text().strip("‹ ")) < before)

    # A message in a hidden tab shows on the hint beside the strip.
    says(account, f"+4477009008{40}", "Anyone?")
    expect(left).to_have_attribute("aria-label", f"{int(left.inner_text().strip('‹ '))} more tabs to the left, 1 unread")

    # The open-interactions popup closes on Escape and gives the keyboard back to its button.
    toggle = alice.get_by_test_id("open-list-toggle")
    toggle.click()
    expect(alice.get_by_test_id("open-list")).to_be_visible()
    alice.keyboard.press("Escape")
    expect(alice.get_by_test_id("open-list")).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # The X says what it does: on my open conversation it closes the conversation, after asking.
    close = tabs.filter(has_text="Number8").get_by_test_id("tab-close")
    expect(close).to_have_attribute("aria-label", "Close conversation with Customer Number8 Longname…")
    close.click()
    dialog = alice.get_by_test_id("close-dialog")
    expect(dialog).to_contain_text("Close the conversation with Customer Number8 Longname?")
    dialog.get_by_test_id("dialog-cancel").click()
    expect(tabs).to_have_count(9)
    assert get_db().interactions.find_one({"_id": interaction_of(f"+4477009008{48}")["_id"]})["status"] == "open"
    lifecycle.close(team["alice"], ids[7])
    closed = tabs.filter(has_text="Number7").get_by_test_id("tab-close")
    expect(closed).to_have_attribute("aria-label", "Close tab of Customer Number7 Longname")
    closed.click()
    expect(tabs).to_have_count(8)


def test_note_mode_keeps_its_hint_after_a_note_is_added(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], "+447700900831", "Hi there", name="Nora Note")
    pane = accept_offer(alice, "Nora")
    composer = pane.get_by_test_id("composer-input")
    pane.get_by_test_id("note-toggle").click()
    note_hint = "Internal note: only agents see it, never sent to the customer"
    expect(composer).to_have_attribute("placeholder", note_hint)
    composer.fill("Customer prefers email")
    composer.press("Enter")
    expect(pane.locator("[data-testid=message][data-direction=internal]")).to_contain_text("Customer prefers email")
    expect(composer).to_have_attribute("placeholder", note_hint)
    expect(pane.get_by_test_id("note-toggle")).to_have_attribute("aria-pressed", "true")
    pane.get_by_test_id("note-toggle").click()
    expect(composer).to_have_attribute("placeholder", "Type a message")
