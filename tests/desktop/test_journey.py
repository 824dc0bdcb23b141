"""The customer journey in the desktop's sidebar names who accepted and who transferred, in Chromium."""

from playwright.sync_api import expect

from app.db import get_db
from app.services.conversations import lifecycle, routing
from tests.desktop.conftest import says
from tests.support.browser import screenshot


def test_accepted_then_transferred_shows_who_accepted_and_the_transfer(team, desktop):
    says(team["sandbox"], "+447700900401", "Can someone help me?", name="Jo Journey")
    interaction = get_db().interactions.find_one({"contact.phone": "+447700900401"})
    routing.accept(team["alice"], interaction["_id"])
    lifecycle.transfer(team["alice"], interaction["_id"], to_agent_id=str(team["bob"]["_id"]))
    stored = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert stored["agent_name"] == "Bob Agent" and stored["accepted_by"]["name"] == "Alice Agent"
    assert [(t["name"], t["to_agent"]) for t in stored["transfers"]] == [("Alice Agent", "Bob Agent")]

    bob = desktop(team["bob"])
    bob.goto(f"/desktop/?open={interaction['_id']}")
    events = bob.locator("[data-testid=pane]:visible").get_by_test_id("journey-event")
    expect(events).to_have_count(3)
    expect(events.filter(has_text="Accepted by Alice Agent on")).to_have_count(1)
    expect(events.filter(has_text="Transferred by Alice Agent to Bob Agent on")).to_have_count(1)
    expect(events.filter(has_text="Wrote on")).to_have_count(1)
    assert not any("by Bob Agent" in text for text in events.all_inner_texts())  # Bob only received it
    events.first.scroll_into_view_if_needed()
    screenshot(bob, "desktop-journey-accept-then-transfer")


def test_a_transfer_to_a_queue_names_the_queue(team, desktop):
    says(team["sandbox"], "+447700900402", "Hello", name="Quinn Queue")
    interaction = get_db().interactions.find_one({"contact.phone": "+447700900402"})
    routing.accept(team["alice"], interaction["_id"])
    lifecycle.transfer(team["alice"], interaction["_id"], to_queue_id=str(team["queue"]["_id"]))
    routing.accept(team["bob"], interaction["_id"])

    bob = desktop(team["bob"])
    bob.goto(f"/desktop/?open={interaction['_id']}")
    events = bob.locator("[data-testid=pane]:visible").get_by_test_id("journey-event")
    expect(events.filter(has_text="Transferred by Alice Agent to queue Support")).to_have_count(1)
    expect(events.filter(has_text="Accepted by Bob Agent")).to_have_count(1)  # the latest acceptance
