"""In Chromium: an admin sees that a customer has waited past the queue's first-response target (desktop
and interactions list, live) and returns the interaction to the queue from its page; the agent who had it
is told and loses it, and a colleague is offered it."""

from datetime import timedelta

from playwright.sync_api import expect

from app.services import clock
from app.services.routing import time_rules
from app.services.setup import queue_admin
from tests.desktop.conftest import accept_offer, says
from tests.desktop.support import interaction_of
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD, make_user

PHONE = "+447700900461"


def test_an_admin_sees_the_overdue_answer_and_returns_the_interaction_to_the_queue(team, desktop, new_page):
    queue_admin.update_queue(team["queue"]["_id"], {"routing": {"first_response_minutes": 1}})
    admin = make_user("admin", name="Ada")
    alice = desktop(team["alice"])
    says(team["sandbox"], PHONE, "I was charged twice", name="Omar Overdue")
    pane = accept_offer(alice, "Omar Overdue")
    bob = desktop(team["bob"])
    interaction = interaction_of(PHONE)

    boss = new_page()
    sign_in_page(boss, admin["email"], PASSWORD)
    boss.wait_for_load_state()
    boss.goto(f"/desktop/?open={interaction['_id']}")
    side = boss.locator("[data-testid=pane]:visible").get_by_test_id("sidebar")
    expect(side).to_contain_text("Alice Agent")
    expect(side.get_by_test_id("answer-overdue")).to_have_count(0)

    clock.advance(timedelta(minutes=2))
    assert time_rules.check()["flagged"] == 1
    expect(side.get_by_test_id("answer-overdue")).to_contain_text("Overdue since")  # live, from the event
    expect(pane.get_by_test_id("sidebar").get_by_test_id("answer-overdue")).to_have_count(0)  # admins only

    boss.goto("/interactions/")
    row = boss.get_by_test_id("row").filter(has_text="Omar Overdue")
    expect(row.get_by_test_id("answer-overdue")).to_have_text("Answer overdue")
    row.get_by_test_id("contact").click()
    expect(boss.get_by_test_id("answer-overdue-since")).to_contain_text("Overdue since")
    screenshot(boss, "interaction-answer-overdue")
    boss.get_by_test_id("requeue").click()
    expect(boss.locator(".flash")).to_contain_text("Returned the interaction with Omar Overdue to queue Support.")
    expect(boss.get_by_test_id("side-details").get_by_test_id("status")).to_have_text("Waiting")
    expect(boss.get_by_test_id("requeue")).to_have_count(0)

    reason = "Returned to the queue by Ada: no answer for 2 minutes"
    expect(pane.get_by_test_id("state-line")).to_contain_text(f"{reason} — you can no longer see new messages.")
    expect(pane.get_by_test_id("composer-input")).to_be_disabled()
    offer = bob.get_by_test_id("offer").filter(has_text="Omar Overdue")
    expect(offer).to_be_visible()
    screenshot(alice, "desktop-returned-to-queue")
    offer.get_by_test_id("offer-accept").click()
    expect(bob.get_by_test_id("tab").filter(has_text="Omar Overdue")).to_be_visible()
    expect(bob.locator("[data-testid=pane]:visible [data-testid=message][data-kind=system]").last).to_contain_text(reason)
