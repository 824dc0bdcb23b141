"""Typing in the desktop shows the Meta customer "typing…": once for a burst of keystrokes, never for a note."""

import time

from app.db import get_db
from tests.desktop.conftest import META_PHONE_ID, accept_offer, says
from tests.support.sockets import wait_for

PHONE = "+447700900656"


def test_typing_a_reply_sends_one_indicator_and_a_note_none(team, desktop, fake_provider):
    alice = desktop(team["alice"])
    says(team["meta"], PHONE, "Hello?", name="Tina Typing")
    pane = accept_offer(alice, "Tina Typing")
    customer_message = get_db().interactions.find_one({"contact.phone": PHONE})["last_inbound_provider_id"]

    def indicators():
        requests = fake_provider.requests_to(f"/v23.0/{META_PHONE_ID}/messages", "POST")
        return [r.json for r in requests if r.json and "typing_indicator" in r.json]

    pane.get_by_test_id("note-toggle").click()
    pane.get_by_test_id("composer-input").press_sequentially("a note for colleagues", delay=10)
    pane.get_by_test_id("composer-input").fill("")
    pane.get_by_test_id("note-toggle").click()
    time.sleep(1)
    assert indicators() == []
    pane.get_by_test_id("composer-input").press_sequentially("Let me check that for you", delay=20)
    assert wait_for(lambda: len(indicators()) == 1)
    assert indicators()[0] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": customer_message,
        "typing_indicator": {"type": "text"},
    }
    time.sleep(1)
    assert len(indicators()) == 1  # one per 20 seconds, however many keystrokes
