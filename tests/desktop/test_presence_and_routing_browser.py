"""The desktop in Chromium: the agent's status in the top bar, and a one-at-a-time queue whose offer
counts down on one agent's desktop, then moves to the next agent's when its time runs out."""

from datetime import timedelta

from playwright.sync_api import expect

from app.services import clock
from app.services.routing import presence
from app.services.setup import queue_admin
from tests.desktop.conftest import says

PHONE = "+447700900777"


def test_an_agent_pauses_with_a_reason_and_the_choice_survives_a_reload(team, desktop):
    page = desktop(team["alice"])
    control = page.get_by_test_id("presence")
    expect(control).to_be_enabled()
    expect(control).to_have_value("online")
    control.select_option("paused:Lunch")
    expect(page.get_by_test_id("presence-control")).to_have_attribute("data-state", "paused")
    assert presence.state_of(team["alice"]["_id"])["reason"] == "Lunch"

    says(team["sandbox"], PHONE, "Anyone there?", name="Paula Paused")
    page.wait_for_timeout(700)
    expect(page.get_by_test_id("offer")).to_have_count(0)  # a Paused agent is offered nothing

    page.reload()
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(page.get_by_test_id("presence")).to_have_value("paused:Lunch")
    page.get_by_test_id("presence").select_option("online")
    expect(page.get_by_test_id("offer").filter(has_text="Paula Paused")).to_be_visible()  # what waits arrives


def test_a_timed_out_offer_moves_from_one_agents_desktop_to_the_next(team, desktop):
    queue_admin.update_queue(str(team["queue"]["_id"]), {"routing": {"strategy": "round_robin", "offer_timeout_seconds": 5}})
    alice, bob = desktop(team["alice"]), desktop(team["bob"])
    says(team["sandbox"], PHONE, "Hello, one at a time", name="Rita Round")

    alices_offer = alice.get_by_test_id("offer").filter(has_text="Rita Round")
    expect(alices_offer).to_be_visible()
    expect(alices_offer.get_by_test_id("offer-timer")).to_contain_text("for you")
    expect(bob.get_by_test_id("offer")).to_have_count(0)

    try:
        clock.advance(timedelta(seconds=6))  # Alice let it ring out: the periodic routing tick moves it on
        bobs_offer = bob.get_by_test_id("offer").filter(has_text="Rita Round")
        expect(bobs_offer).to_be_visible(timeout=15_000)
        expect(alices_offer).to_have_count(0)
        bobs_offer.get_by_test_id("offer-accept").click()
        expect(bob.get_by_test_id("tab").filter(has_text="Rita Round")).to_be_visible()
    finally:
        clock.reset()
