"""An expired window, a network drop, refused attachments and failed sends, as the agent sees them."""

from datetime import timedelta

from playwright.sync_api import expect

from app.services import clock
from app.services.conversations import window_expiry
from tests.desktop.conftest import accept_offer, customer_texts, says, status
from tests.desktop.support import interaction_of, messages_of, png_bytes
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

PHONE = "+447700900321"


def test_expired_window_warns_fails_with_the_recontact_tooltip_and_sends_the_template(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Hello there", name="Sam Window")
    pane = accept_offer(alice, "Sam Window")
    expect(pane.get_by_test_id("window-countdown")).to_contain_text("Window closes in 23 h")

    clock.advance(timedelta(hours=25))
    assert window_expiry.expire_windows() == 1
    expect(pane.get_by_test_id("window-countdown")).to_have_text("24-hour window closed")
    composer = pane.get_by_test_id("composer-input")
    composer.fill("Are you still there?")
    composer.press("Enter")
    notice = pane.get_by_test_id("composer-notice")
    expect(notice).to_contain_text("The 24-hour window is closed")
    expect(pane.locator("[data-testid=message][data-direction=out]")).to_have_count(0)
    notice.get_by_test_id("send-anyway").click()
    sent = pane.locator("[data-testid=message][data-direction=out]").last
    expect(sent).to_contain_text("Are you still there?")
    ticks = sent.get_by_test_id("ticks")  # the sandbox refuses it as WhatsApp does (131047)
    # The send is a job: the one worker thread may be loading the sentiment model first.
    expect(ticks).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(ticks).to_have_attribute("title", "Send a Recontact template to continue the conversation")
    expect(sent.get_by_test_id("failure")).to_contain_text("Send a Recontact template to continue the conversation")
    expect(sent.get_by_test_id("retry")).to_be_visible()
    screenshot(alice, "desktop-window-expired")

    pane.get_by_test_id("recontact").click()
    alice.get_by_test_id("recontact-dialog").get_by_test_id("dialog-confirm").click()
    template = pane.locator("[data-testid=message][data-kind=template]")
    expect(template).to_contain_text("Hello again! Reply to continue.")
    expect(template).to_contain_text("System · recontact template")
    expect(template.get_by_test_id("ticks")).to_have_attribute("data-status", "sent")


def test_messages_during_a_network_drop_show_once_and_in_order(team, desktop, new_page):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Before the drop", name="Nat Network")
    pane = accept_offer(alice, "Nat Network")
    expect(pane.get_by_test_id("message")).to_have_count(1)
    alice.context.set_offline(True)
    expect(alice.get_by_test_id("connection")).to_have_attribute("data-state", "reconnecting")
    for n in (1, 2, 3):
        says(account, PHONE, f"While offline {n}")
    alice.context.set_offline(False)
    expect(alice.get_by_test_id("connection")).to_have_attribute("data-state", "connected", timeout=15_000)
    texts = customer_texts(pane)
    expect(texts).to_have_text(["Before the drop", "While offline 1", "While offline 2", "While offline 3"])
    says(account, PHONE, "After the drop")
    expect(texts).to_have_count(5)
    expect(texts.last).to_have_text("After the drop")


def test_refused_attachments_and_a_failed_send_are_explained_where_the_agent_looks(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Can I send you a file?", name="Fay Files")
    pane = accept_offer(alice, "Fay Files")
    notice = pane.get_by_test_id("composer-notice")
    uploads = []
    alice.on("request", lambda r: uploads.append(r.url) if "/media/upload" in r.url else None)

    pane.get_by_test_id("file-input").set_input_files(
        {"name": "huge.png", "mimeType": "image/png", "buffer": png_bytes() + b"\0" * (5 * 1024 * 1024)}
    )
    expect(notice).to_contain_text("huge.png is 5 MB: the limit for image attachments on this account is 5 MB")
    pane.get_by_test_id("file-input").set_input_files(
        {"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ" + b"\0" * 64}
    )
    expect(notice).to_contain_text("setup.exe: .exe files are refused for safety.")
    pane.get_by_test_id("file-input").set_input_files(
        {"name": "photo.gif", "mimeType": "image/gif", "buffer": b"GIF89a" + b"\0" * 20}
    )
    expect(notice).to_contain_text("WhatsApp does not accept image/gif as an image")
    expect(pane.get_by_test_id("attachment-preview")).to_be_hidden()
    assert uploads == []

    # The provider refuses a message: its reason shows, and Retry sends it again as a new message.
    composer = pane.get_by_test_id("composer-input")
    composer.fill("Here is the form")
    composer.press("Enter")
    sent = pane.locator("[data-testid=message][data-direction=out]").last
    expect(sent.get_by_test_id("ticks")).to_have_attribute("data-status", "sent")
    ours = wait_for(
        lambda: [m for m in messages_of(interaction_of(PHONE)["_id"]) if m.get("provider_message_id", "").startswith("sbx")]
    )
    status(
        account,
        ours[0]["provider_message_id"],
        "failed",
        error={"code": "131026", "title": "Message undeliverable", "category": "invalid_recipient"},
    )
    expect(sent.get_by_test_id("failure")).to_contain_text("Message undeliverable. Parley will not try again.")
    composer.fill("Unfinished thought")
    sent.get_by_test_id("retry").click()
    expect(pane.locator("[data-testid=message][data-direction=out]")).to_have_count(2)
    expect(pane.locator("[data-testid=message][data-direction=out]").last.get_by_test_id("ticks")).to_have_attribute(
        "data-status", "sent"
    )
    expect(composer).to_have_value("Unfinished thought")  # nothing typed is lost
    screenshot(alice, "desktop-errors")
