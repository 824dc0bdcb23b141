"""One agent, two desktops (two browsers): what one accepts or starts shows live in the other."""

from playwright.sync_api import expect

from app.db import get_db
from tests.desktop.conftest import accept_offer, says


def test_a_second_desktop_shows_what_the_first_accepts_or_starts(team, desktop):
    first, second = desktop(team["alice"]), desktop(team["alice"])

    says(team["sandbox"], "+447700900301", "Need a hand", name="Rita Waiting")
    for page in (first, second):
        expect(page.get_by_test_id("offer").filter(has_text="Rita Waiting")).to_be_visible()
    accept_offer(first, "Rita Waiting")
    expect(second.get_by_test_id("tab").filter(has_text="Rita Waiting")).to_be_visible()
    expect(second.get_by_test_id("offer").filter(has_text="Rita Waiting")).to_have_count(0)

    first.goto("/interactions/")
    first.click("[data-testid=new-interaction]")
    first.select_option("[data-testid=new-account]", label=team["meta"]["name"])
    first.fill("[data-testid=new-phone]", "+447700900302")
    first.press("[data-testid=new-phone]", "Tab")
    first.fill("[data-testid=new-name]", "Olga Started")
    first.check("[data-testid=new-mode-text]")
    first.fill("[data-testid=new-text]", "Hello Olga, about your order")
    first.click("[data-testid=new-send]")
    first.wait_for_url("**/desktop/?open=*")
    assert get_db().interactions.find_one({"contact.phone": "+447700900302"})["agent_id"] == team["alice"]["_id"]
    tab = second.get_by_test_id("tab").filter(has_text="Olga Started")
    expect(tab).to_be_visible()
    tab.click()
    expect(second.locator("[data-testid=pane]:visible")).to_contain_text("Hello Olga, about your order")
