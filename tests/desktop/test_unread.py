"""Unread messages as in WhatsApp Web: a tab opens at the first unread message under an
"N unread messages" divider (or at the end), the count goes only as messages come into view,
it survives a reload, and "↓ N new" appears when messages arrive while the agent reads older ones."""

import time

from playwright.sync_api import expect

from tests.desktop.conftest import META_PHONE_ID, accept_offer, says
from tests.desktop.support import interaction_of
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

ANN, BEA = "+447700900701", "+447700900702"
IN_VIEW = """(el) => {
  const view = el.closest(".dk-scroller").getBoundingClientRect();
  const box = el.getBoundingClientRect();
  return box.height > 0 && box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
}"""


def in_view(locator):
    return locator.evaluate(IN_VIEW)


def message(page, text):
    rows = page.locator("[data-testid=pane]:visible [data-testid=message]")
    return rows.filter(has=page.get_by_test_id("message-text").get_by_text(text, exact=True))


def badge(page, name):
    return page.get_by_test_id("tab").filter(has_text=name).get_by_test_id("unread-badge")


def test_tabs_open_at_the_first_unread_message_and_keep_the_rest_unread_across_a_reload(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, ANN, "Ann opens", name="Ann Long")
    accept_offer(alice, "Ann Long")
    says(account, BEA, "Bea opens", name="Bea Busy")
    accept_offer(alice, "Bea Busy")
    for n in range(1, 31):  # read as they come: Bea's tab is in front, at the end
        says(account, BEA, f"Bea line {n}")
    expect(message(alice, "Bea line 30")).to_be_visible()
    assert wait_for(lambda: in_view(message(alice, "Bea line 30")))
    for n in range(1, 36):  # Ann's tab is in the background
        says(account, ANN, f"Ann line {n}")
    expect(badge(alice, "Ann Long")).to_have_text("35")
    expect(badge(alice, "Bea Busy")).to_be_hidden()

    # Switching shows the first unread message under its divider; what is below the fold stays unread.
    alice.get_by_test_id("tab").filter(has_text="Ann Long").get_by_role("tab").click()
    divider = alice.locator("[data-testid=pane]:visible [data-testid=unread-divider]")
    expect(divider).to_have_text("35 unread messages")
    assert wait_for(lambda: in_view(divider) and in_view(message(alice, "Ann line 1")))
    assert not in_view(message(alice, "Ann line 35"))
    expect(badge(alice, "Ann Long")).to_be_visible()
    left = int(badge(alice, "Ann Long").inner_text())
    assert 0 < left < 35
    new_button = alice.locator("[data-testid=pane]:visible [data-testid=new-messages]")
    expect(new_button).to_have_text(f"↓ {left} new")
    iid = interaction_of(ANN)["_id"]
    assert wait_for(lambda: interaction_of(ANN)["unread"] == left), "the engine keeps what was not seen"
    screenshot(alice, "desktop-unread-divider")

    # A reload: Ann (in front) opens at her first message still unread; Bea (behind) at her end.
    alice.reload()
    expect(alice.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    divider = alice.locator("[data-testid=pane]:visible [data-testid=unread-divider]")
    expect(divider).to_have_text(f"{left} unread message{'s' if left > 1 else ''}")
    first_unread = f"Ann line {36 - left}"
    assert wait_for(lambda: in_view(message(alice, first_unread)))
    assert not in_view(message(alice, "Ann line 35"))
    alice.get_by_test_id("tab").filter(has_text="Bea Busy").get_by_role("tab").click()
    assert wait_for(lambda: in_view(message(alice, "Bea line 30")))
    assert not in_view(message(alice, "Bea line 1"))
    expect(alice.locator("[data-testid=pane]:visible [data-testid=unread-divider]")).to_have_count(0)

    # Back to Ann: the "new" button takes her to the end, and everything is read.
    alice.get_by_test_id("tab").filter(has_text="Ann Long").get_by_role("tab").click()
    new_button = alice.locator("[data-testid=pane]:visible [data-testid=new-messages]")
    new_button.click()
    assert wait_for(lambda: in_view(message(alice, "Ann line 35")))
    expect(badge(alice, "Ann Long")).to_be_hidden()
    expect(new_button).to_be_hidden()
    assert wait_for(lambda: interaction_of(ANN)["unread"] == 0)

    # Reading older messages when one arrives: it is not scrolled away, "↓ 1 new" says it is there.
    alice.locator("[data-testid=pane]:visible .dk-scroller").evaluate("(s) => { s.scrollTop = 0; }")
    says(account, ANN, "Are you still there?")
    expect(new_button).to_have_text("↓ 1 new")
    expect(badge(alice, "Ann Long")).to_have_text("1")
    assert not in_view(message(alice, "Are you still there?"))
    screenshot(alice, "desktop-new-messages-button")
    new_button.click()
    assert wait_for(lambda: in_view(message(alice, "Are you still there?")))
    expect(new_button).to_be_hidden()
    expect(badge(alice, "Ann Long")).to_be_hidden()
    assert wait_for(lambda: interaction_of(ANN)["unread"] == 0)
    assert str(iid) == str(interaction_of(ANN)["_id"])


def test_the_customer_gets_the_read_receipt_when_the_agent_sees_the_message(team, desktop, fake_provider):
    alice = desktop(team["alice"])
    meta_phone = "+447700900703"
    says(team["meta"], meta_phone, "Hi, is my order shipped?", name="Mia Meta")
    accept_offer(alice, "Mia Meta")

    def receipts():
        requests = fake_provider.requests_to(f"/v23.0/{META_PHONE_ID}/messages", "POST")
        return [r.json["message_id"] for r in requests if r.json and r.json.get("status") == "read"]

    first = interaction_of(meta_phone)["last_inbound_provider_id"]
    assert wait_for(lambda: receipts() == [first])
    says(team["sandbox"], "+447700900704", "Me too", name="Sid Sandbox")
    accept_offer(alice, "Sid Sandbox")
    says(team["meta"], meta_phone, "Hello?")
    expect(badge(alice, "Mia Meta")).to_have_text("1")
    time.sleep(1)  # the receipt job would have gone by now
    assert receipts() == [first], "no blue ticks for a message the agent has not seen"
    alice.get_by_test_id("tab").filter(has_text="Mia Meta").get_by_role("tab").click()
    second = interaction_of(meta_phone)["last_inbound_provider_id"]
    assert wait_for(lambda: receipts() == [first, second])
