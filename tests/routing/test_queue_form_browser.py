"""The queue form in Chromium: business hours and waiting messages saved and shown again; a bad
opening and a bad holiday are refused next to their fields, keeping what was typed."""

from app.db import get_db
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def save(page):
    page.click("button[type=submit]:has-text('Save')")


def test_an_admin_sets_business_hours_and_waiting_messages(new_page, admin):
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto("/admin/queues/new")
    page.fill("input[name=name]", "Support")
    page.check("input[name=hours_enabled]")
    page.select_option("select[name=hours_timezone]", "Europe/Rome")
    page.fill("input[name=hours_weekly_monday]", "09:00-13:00, 14:00-18:00")
    page.fill("input[name=hours_weekly_tuesday]", "18:00-09:00")
    page.fill("input[name=hours_weekly_wednesday]", "nine to five")
    page.fill("textarea[name=hours_holidays]", "2026-12-25 Christmas Day\n2026-13-01")
    page.check("input[name=waiting_messages_position_enabled]")
    save(page)

    assert page.inner_text("[data-field=hours_weekly_tuesday] .field-error") == (
        "An opening must start before it ends: 18:00-09:00.")
    assert page.inner_text("[data-field=hours_weekly_wednesday] .field-error") == (
        "Write each opening as two times HH:MM, e.g. 09:00-17:30.")
    assert page.inner_text("[data-field=hours_holidays] .field-error") == "Not a date: 2026-13-01 (use YYYY-MM-DD)."
    assert page.input_value("input[name=hours_weekly_tuesday]") == "18:00-09:00"  # kept, to correct
    assert page.locator("[data-field=hours_weekly_monday] .field-error").count() == 0
    screenshot(page, "queue-hours-errors")
    page.fill("input[name=hours_weekly_tuesday]", "09:00-17:00")
    page.fill("input[name=hours_weekly_wednesday]", "")
    page.fill("textarea[name=hours_holidays]", "2026-12-25 Christmas Day\n2026-12-26")
    page.fill("textarea[name=hours_out_of_hours_message]", "We are closed <b>now</b>.")
    save(page)
    page.wait_for_selector("text=Saved queue “Support”")

    queue = get_db().queues.find_one({"name": "Support"})
    assert queue["hours"]["enabled"] is True and queue["hours"]["timezone"] == "Europe/Rome"
    assert queue["hours"]["weekly"]["monday"] == [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]
    assert queue["hours"]["weekly"]["tuesday"] == [{"start": "09:00", "end": "17:00"}]
    assert queue["hours"]["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}, {"date": "2026-12-26", "name": ""}]
    assert queue["waiting_messages"]["position"]["enabled"] is True
    assert queue["waiting_messages"]["every_minutes"] == 5

    page.click("[data-testid=records] a:text-is('Support')")  # the list's link to the edit page shows what was saved
    assert page.input_value("input[name=hours_weekly_monday]") == "09:00-13:00, 14:00-18:00"
    assert page.input_value("select[name=hours_timezone]") == "Europe/Rome"
    assert page.input_value("textarea[name=hours_holidays]") == "2026-12-25 Christmas Day\n2026-12-26"
    assert page.input_value("textarea[name=hours_out_of_hours_message]") == "We are closed <b>now</b>."
    assert page.is_checked("input[name=waiting_messages_position_enabled]")
    assert not page.is_checked("input[name=waiting_messages_received_enabled]")
    screenshot(page, "queue-hours-saved")
