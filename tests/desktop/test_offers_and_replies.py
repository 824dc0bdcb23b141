"""Two agents, one offer: the winner answers with every input of the composer on a Meta account
(fake provider server), and ticks follow the status callbacks to blue."""

import os
import time
from pathlib import Path

from playwright.sync_api import expect

from tests.desktop.conftest import META_PHONE_ID, accept_offer, says, status
from tests.desktop.support import interaction_of, messages_of, png_bytes, sent_bodies
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

PHONE = "+447700900123"
README_SHOT = Path(__file__).resolve().parents[2] / "app" / "static" / "img" / "desktop-screenshot.png"


def test_offer_accept_and_every_kind_of_reply(team, desktop, fake_provider):
    alice, bob = desktop(team["alice"]), desktop(team["bob"])
    meta = team["meta"]
    says(meta, PHONE, "Hi, my order has not arrived", name="Maria Lopez")
    for page in (alice, bob):
        offer = page.get_by_test_id("offer")
        expect(offer).to_contain_text("Maria Lopez")
        expect(offer).to_contain_text("Hi, my order has not arrived")
        expect(offer).to_contain_text("Meta Shop · Support")
    screenshot(bob, "desktop-offer")

    pane = accept_offer(alice, "Maria Lopez")
    started = time.monotonic()
    expect(bob.get_by_test_id("offer-status")).to_have_text("Assigned to Alice Agent", timeout=1000)
    assert time.monotonic() - started < 1.0
    expect(bob.get_by_test_id("offer")).to_have_count(0, timeout=8000)

    composer = pane.get_by_test_id("composer-input")
    # Text, with Shift+Enter for a new line and Enter to send.
    composer.fill("Hello Maria,")
    composer.press("Shift+Enter")
    composer.type("let me check.")
    composer.press("Enter")
    # An emoji from the picker.
    pane.get_by_test_id("emoji-button").click()
    alice.get_by_test_id("emoji-picker").get_by_role("searchbox").fill("thumbs up")
    alice.get_by_test_id("emoji-picker").locator("[data-emoji='👍']").click()
    composer.press("Enter")
    # A canned answer, placeholders filled from the contact and the agent.
    pane.get_by_test_id("canned-button").click()
    alice.get_by_test_id("canned-picker").get_by_role("searchbox").fill("greet")
    alice.get_by_test_id("canned-answer").click()
    expect(composer).to_have_value("Hello Maria, I am Alice Agent. How can I help?")
    composer.press("Enter")
    # An image, previewed before it goes, with a caption.
    pane.get_by_test_id("file-input").set_input_files({"name": "parcel.png", "mimeType": "image/png", "buffer": png_bytes()})
    expect(pane.get_by_test_id("attachment-preview")).to_contain_text("parcel.png")
    composer.fill("Your parcel")
    composer.press("Enter")
    # A recorded voice note: record, stop, listen, send.
    pane.get_by_test_id("record-button").click()
    expect(pane.get_by_test_id("recording-time")).to_have_text("0:01", timeout=4000)
    pane.get_by_test_id("record-stop").click()
    expect(pane.get_by_test_id("recording-player")).to_be_visible()
    pane.get_by_test_id("record-send").click()

    outbound = pane.locator("[data-testid=message][data-direction=out]")
    expect(outbound).to_have_count(5)
    expect(pane.locator("[data-direction=out] [data-testid=ticks][data-status=sent]")).to_have_count(5, timeout=15000)
    bodies = wait_for(lambda: len(sent_bodies(fake_provider, META_PHONE_ID)) == 5 and sent_bodies(fake_provider, META_PHONE_ID))
    assert [b["type"] for b in bodies] == ["text", "text", "text", "image", "audio"]
    assert bodies[0]["text"]["body"] == "Hello Maria,\nlet me check." and bodies[0]["to"] == PHONE.lstrip("+")
    assert bodies[1]["text"]["body"] == "👍"
    assert bodies[2]["text"]["body"] == "Hello Maria, I am Alice Agent. How can I help?"
    assert bodies[3]["image"]["id"] == "media-upload-1" and bodies[3]["image"]["caption"] == "Your parcel"
    assert bodies[4]["audio"]["id"] == "media-upload-1"
    uploads = fake_provider.requests_to(f"/v23.0/{META_PHONE_ID}/media", "POST")
    assert b"audio/ogg" in uploads[-1].body  # the browser's WebM recording went out as an OGG voice note

    # Status callbacks: delivered, then read, and the ticks follow.
    interaction = interaction_of(PHONE)
    ours = [m for m in messages_of(interaction["_id"]) if m["direction"] == "out"]
    for message in ours:
        status(meta, message["provider_message_id"], "delivered")
    expect(pane.locator("[data-direction=out] [data-testid=ticks][data-status=delivered]")).to_have_count(5)
    for message in ours:
        status(meta, message["provider_message_id"], "read")
    expect(pane.locator("[data-direction=out] [data-testid=ticks][data-status=read]")).to_have_count(5)
    expect(pane.locator("[data-testid=message][data-kind=image] img")).to_be_visible()
    expect(pane.locator("[data-testid=message][data-kind=voice] audio")).to_have_count(1)
    screenshot(alice, "desktop-conversation")
    if os.environ.get("PARLEY_UPDATE_SCREENSHOTS") == "1":  # the README shows this one
        alice.screenshot(path=str(README_SHOT))
        assert README_SHOT.stat().st_size < 300_000


def test_reaction_quote_and_internal_note(team, desktop, fake_provider):
    alice = desktop(team["alice"])
    meta = team["meta"]
    says(meta, PHONE, "Where is my parcel?", name="Maria Lopez")
    pane = accept_offer(alice, "Maria Lopez")
    customer_message = pane.locator("[data-testid=message][data-direction=in]").first

    # Send a reaction from the three-dot menu, then take it back with the bin.
    customer_message.hover()
    customer_message.get_by_test_id("message-menu").click()
    alice.get_by_test_id("action-react").click()
    alice.get_by_test_id("reaction-chooser").locator("[data-emoji='❤️']").first.click()
    expect(customer_message.get_by_test_id("reaction-agent")).to_have_text("❤️")
    customer_message.hover()
    customer_message.get_by_test_id("message-menu").click()
    alice.get_by_test_id("action-react").click()
    alice.get_by_test_id("reaction-remove").click()
    expect(customer_message.get_by_test_id("reaction-agent")).to_have_count(0)
    reactions = wait_for(
        lambda: (
            [b for b in sent_bodies(fake_provider, META_PHONE_ID) if b["type"] == "reaction"][1:]
            and [b for b in sent_bodies(fake_provider, META_PHONE_ID) if b["type"] == "reaction"]
        )
    )
    customer_wamid = messages_of(interaction_of(PHONE)["_id"])[0]["provider_message_id"]
    assert [r["reaction"] for r in reactions] == [
        {"message_id": customer_wamid, "emoji": "❤️"},
        {"message_id": customer_wamid, "emoji": ""},
    ]

    # Quote the customer's message: the reply shows the quote, and clicking it jumps back.
    customer_message.hover()
    customer_message.get_by_test_id("message-menu").click()
    alice.get_by_test_id("action-reply").click()
    expect(pane.get_by_test_id("quote-bar")).to_contain_text("Where is my parcel?")
    pane.get_by_test_id("composer-input").fill("It is on its way")
    pane.get_by_test_id("composer-input").press("Enter")
    reply = pane.locator("[data-testid=message][data-direction=out]").last
    expect(reply.get_by_test_id("quote")).to_contain_text("Where is my parcel?")
    text_bodies = wait_for(lambda: [b for b in sent_bodies(fake_provider, META_PHONE_ID) if b["type"] == "text"])
    assert text_bodies[0]["context"] == {"message_id": customer_wamid}
    reply.get_by_test_id("quote").click()
    expect(customer_message).to_be_focused()

    # An internal note is shown, marked, and never reaches the provider.
    before = len(sent_bodies(fake_provider, META_PHONE_ID))
    pane.get_by_test_id("note-toggle").click()
    pane.get_by_test_id("composer-input").fill("Customer sounds upset; offer a voucher")
    pane.get_by_test_id("composer-input").press("Enter")
    note = pane.locator("[data-testid=message][data-direction=internal]")
    expect(note).to_contain_text("Internal note · Alice Agent")
    expect(note).to_contain_text("offer a voucher")
    time.sleep(0.5)  # give a (wrong) send job the time it would need to reach the provider
    assert len(sent_bodies(fake_provider, META_PHONE_ID)) == before
    screenshot(alice, "desktop-reaction-quote-note")
