"""When the provider fails, the desktop shows the agent Parley's sentence, never the transport's words."""

from playwright.sync_api import expect

from app.services.conversations import delivery
from tests.desktop.conftest import META_PHONE_ID, accept_offer, says
from tests.fakes.provider_server import FakeResponse
from tests.support.browser import screenshot

PHONE = "+447700900654"
MESSAGES = f"/v23.0/{META_PHONE_ID}/messages"


def test_the_desktop_shows_what_happened_and_what_to_do(team, desktop, fake_provider, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 1)  # the first failure is the last: no waiting for backoff
    # Sends run in the embedded worker: on a loaded machine they take longer than expect's default 5 s.
    alice = desktop(team["alice"])
    says(team["meta"], PHONE, "Is my order late?", name="Rosa Failing")
    pane = accept_offer(alice, "Rosa Failing")
    composer = pane.get_by_test_id("composer-input")
    outgoing = pane.locator("[data-testid=message][data-direction=out]")

    fake_provider.route(
        "POST",
        MESSAGES,
        FakeResponse(502, body=b"<html>upstream exploded at 10.0.0.7:8080</html>", headers={"Content-Type": "text/html"}),
    )
    composer.fill("Let me check")
    composer.press("Enter")
    failure = outgoing.last.get_by_test_id("failure")
    expect(failure).to_contain_text(
        "The WhatsApp provider had a fault on its side. Parley has stopped trying. You can press Retry to send it again",
        timeout=30000,
    )
    expect(outgoing.last.get_by_test_id("ticks")).to_have_attribute("data-status", "failed")

    meta_error = {
        "error": {
            "message": "(#131026) Message undeliverable",
            "code": 131026,
            "error_data": {"details": "HTTPSConnectionPool(host='graph.internal', port=443)"},
        }
    }
    fake_provider.route("POST", MESSAGES, FakeResponse(400, meta_error))
    composer.fill("Are you there?")
    composer.press("Enter")
    expect(outgoing).to_have_count(2)
    expect(outgoing.last.get_by_test_id("failure")).to_contain_text(
        "Message undeliverable. Parley will not try again. Check with the customer by another channel",
        timeout=30000,
    )
    text = pane.inner_text()
    for internal in ("upstream", "10.0.0.7", "8080", "HTTPSConnectionPool", "graph.internal", "port=443", "127.0.0.1"):
        assert internal not in text
    screenshot(alice, "desktop-provider-failure")
