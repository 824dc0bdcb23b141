"""The list's row menu (⋮) opens over the table, not clipped by it: Close and Reopen can be
reached on the last rows, at the bottom of a short page and of a long one."""

from playwright.sync_api import expect

from app.db import get_db
from app.services.conversations import lifecycle
from tests.interactions.support import taken
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD

REACHABLE = """button => {
  const box = button.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.bottom <= window.innerHeight && box.top >= 0 && (hit === button || button.contains(hit));
}"""


def open_menu_of_last_row(page):
    page.wait_for_load_state()  # the list's script is running
    row = page.get_by_test_id("row").last
    row.locator("[data-testid=row-menu] summary").click()
    return row


def test_close_and_reopen_are_reachable_from_the_last_rows(new_page, team):
    account, alice = team["account"], team["alice"]
    for n in range(3):
        taken(account, alice, f"+44770090070{n}", "Hello", name=f"Customer {n}")
    page = new_page(viewport=(1280, 800))
    sign_in_page(page, alice["email"], PASSWORD)
    page.goto("/interactions/?sort=start")  # oldest first: Customer 2 is the last row

    row = open_menu_of_last_row(page)
    close = row.get_by_test_id("close-submit")
    expect(close).to_be_visible()
    assert close.evaluate(REACHABLE), "the Close button is hidden by the table"
    screenshot(page, "interactions-row-menu-last-row")
    close.click()
    expect(page.locator(".flash")).to_contain_text("Closed the interaction with Customer 2")
    assert not get_db().interactions.find_one({"contact.phone": "+447700900702"})["is_open"]

    row = open_menu_of_last_row(page)
    reopen = row.get_by_test_id("reopen-submit")
    assert reopen.evaluate(REACHABLE), "the Reopen button is hidden by the table"
    reopen.click()
    expect(page.locator(".flash")).to_contain_text("Reopened")


def test_on_a_long_page_the_last_rows_menu_opens_upwards_inside_the_window(new_page, team):
    account, alice = team["account"], team["alice"]
    for n in range(12):
        interaction = taken(account, alice, f"+4477009008{n:02d}", "Hello", name=f"Client {n:02d}")
        if n == 0:
            lifecycle.close(alice, interaction["_id"])
    page = new_page(viewport=(1280, 700))
    sign_in_page(page, alice["email"], PASSWORD)
    page.goto("/interactions/?sort=-start")  # newest first: the closed Client 00 is the last row
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    row = open_menu_of_last_row(page)
    reopen = row.get_by_test_id("reopen-submit")
    expect(reopen).to_be_visible()
    assert reopen.evaluate(REACHABLE)
    panel_box = row.locator(".menu-panel").bounding_box()
    summary_box = row.locator("summary").bounding_box()
    assert panel_box["y"] + panel_box["height"] <= summary_box["y"] + 1  # above its button: no room below
    screenshot(page, "interactions-row-menu-upwards")
