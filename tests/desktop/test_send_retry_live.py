"""A send the provider refused with a 5xx is shown live as waiting for another try, then as sent
once the retry goes through: no reload needed."""

from playwright.sync_api import expect

from app.services.conversations import delivery
from tests.desktop.conftest import META_PHONE_ID, accept_offer, says
from tests.desktop.support import sent_bodies
from tests.fakes.provider_server import FakeResponse
from tests.support.browser import screenshot

PHONE = "+447700900434"
MESSAGES = f"/v23.0/{META_PHONE_ID}/messages"


def test_a_retrying_send_shows_live(team, desktop, fake_provider, monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_BASE", 3.0)  # long enough to see the waiting state, short for a test
    alice = desktop(team["alice"])
    says(team["meta"], PHONE, "Is my order late?", name="Rosa Retry")
    pane = accept_offer(alice, "Rosa Retry")
    # The first send of the agent's text is refused; read receipts go to the same path and pass.
    answer = fake_provider.handler_for("POST", MESSAGES)
    refused = []

    def first_text_refused(req):
        if (req.json or {}).get("type") == "text" and not refused:
            refused.append(req)
            return FakeResponse(503, {"error": {"message": "Service unavailable", "code": 2}})
        return answer(req)

    fake_provider.route("POST", MESSAGES, first_text_refused)

    pane.get_by_test_id("composer-input").fill("Let me check")
    pane.get_by_test_id("composer-input").press("Enter")
    sent = pane.locator("[data-testid=message][data-direction=out]").last
    retrying = sent.get_by_test_id("retrying")
    expect(retrying).to_contain_text("Parley will try again in", timeout=15000)
    expect(sent.get_by_test_id("ticks")).to_have_attribute("title", retrying.inner_text())
    screenshot(alice, "desktop-send-retrying")

    expect(sent.get_by_test_id("ticks")).to_have_attribute("data-status", "sent", timeout=15000)
    expect(retrying).to_have_count(0)
    assert [b["text"]["body"] for b in sent_bodies(fake_provider, META_PHONE_ID) if b["type"] == "text"] == ["Let me check"] * 2
