"""A voice note the customer played shows WhatsApp's blue microphone on the agent's bubble, live, and a
late `read` never takes it back; a `read` without `delivered` shows read."""

from playwright.sync_api import expect

from app.db import get_db
from tests.desktop.conftest import accept_offer, says, status
from tests.support.browser import screenshot

PHONE = "+447700900655"


def test_played_voice_note_and_read_without_delivered(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], PHONE, "Can you tell me by voice?", name="Vera Voice")
    pane = accept_offer(alice, "Vera Voice")
    pane.get_by_test_id("record-button").click()
    expect(pane.get_by_test_id("recording-time")).to_have_text("0:01", timeout=4000)
    pane.get_by_test_id("record-stop").click()
    pane.get_by_test_id("record-send").click()
    voice = pane.locator("[data-testid=message][data-direction=out][data-kind=voice]")
    expect(voice.get_by_test_id("ticks")).to_have_attribute("data-status", "sent", timeout=30000)
    provider_id = get_db().messages.find_one({"kind": "voice", "direction": "out"})["provider_message_id"]

    status(team["sandbox"], provider_id, "played")
    ticks = voice.get_by_test_id("ticks")
    expect(ticks).to_have_attribute("data-status", "played")
    expect(ticks).to_have_attribute("aria-label", "Played")
    assert ticks.evaluate("el => getComputedStyle(el).color") == "rgb(83, 189, 235)"  # WhatsApp's blue
    status(team["sandbox"], provider_id, "read")  # late: nothing goes backwards
    alice.wait_for_timeout(500)
    expect(ticks).to_have_attribute("data-status", "played")
    screenshot(alice, "desktop-voice-note-played")

    pane.get_by_test_id("composer-input").fill("Anything else?")
    pane.get_by_test_id("composer-input").press("Enter")
    text = pane.locator("[data-testid=message][data-direction=out][data-kind=text]").last
    expect(text.get_by_test_id("ticks")).to_have_attribute("data-status", "sent", timeout=30000)
    text_id = get_db().messages.find_one({"kind": "text", "direction": "out", "text": "Anything else?"})["provider_message_id"]
    status(team["sandbox"], text_id, "read")  # no `delivered` before it
    expect(text.get_by_test_id("ticks")).to_have_attribute("data-status", "read")
    alice.reload()
    pane = alice.locator("[data-testid=pane]:visible")
    expect(pane.locator("[data-testid=message][data-kind=voice]").get_by_test_id("ticks")).to_have_attribute(
        "data-status", "played"
    )
