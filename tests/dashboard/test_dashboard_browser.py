"""The dashboard in Chromium follows the live events: counters move as customers write and an agent accepts."""

from pathlib import Path

from playwright.sync_api import expect

from app.services.conversations import routing
from tests.interactions.support import says
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def counter(page, testid):
    return page.inner_text(f"[data-testid=queue-row][data-queue=Sales] [data-testid={testid}]").strip()


def test_counters_change_live_as_customers_write_and_an_agent_accepts(new_page, team):
    page = new_page()
    sign_in_page(page, team["admin"]["email"], PASSWORD)
    page.goto("/dashboard/?alert_after=1")
    page.wait_for_selector("[data-testid=connection][data-state=connected]")
    assert counter(page, "waiting") == "0" and page.inner_text("[data-testid=total-today]") == "0"
    assert page.inner_text("[data-testid=bot-handled]") == "0" and page.locator("[data-testid=bot-tokens] tr").count() == 7

    first = says(team["account"], "+447700900601", "hello?")
    says(team["account"], "+447700900602", "anyone?")
    expect(page.locator("[data-testid=total-waiting]")).to_have_text("2")
    assert counter(page, "waiting") == "2" and page.inner_text("[data-testid=total-today]") == "2"

    routing.accept(team["alice"], first["_id"])
    expect(page.locator("[data-testid=total-open]")).to_have_text("1")
    assert counter(page, "waiting") == "1" and counter(page, "open") == "1"
    assert "Alice" in page.locator("[data-testid=chart-agents]").text_content()
    assert page.locator("[data-testid=chart-hourly] rect.bar").count() >= 1
    screenshot(page, "dashboard-live")
    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    assert "queue,Sales,waiting,1" in Path(download.value.path()).read_text()
