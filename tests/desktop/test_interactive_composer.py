"""The interactive message dialog in Chromium: WhatsApp's limits shown as the agent types, a live
preview, the send through the Meta adapter, the bubble, the customer's choice quoted under it, and
a canned answer with buttons opening the dialog filled in."""

from playwright.sync_api import expect

from app.db import get_db
from app.services.channel import accounts
from app.services.setup import canned_answers
from tests.desktop.conftest import META_PHONE_ID, accept_offer, says
from tests.desktop.support import interaction_of, messages_of, sent_bodies
from tests.support.browser import screenshot
from tests.support.sockets import wait_for

PHONE = "+447700900321"


def open_dialog(team, desktop, customer_says):
    """Alice accepts Nora's conversation on the Meta account and opens the interactive dialog."""
    alice = desktop(team["alice"])
    says(team["meta"], PHONE, customer_says, name="Nora Diaz")
    pane = accept_offer(alice, "Nora Diaz")
    pane.get_by_test_id("interactive-button").click()
    return alice, pane, alice.get_by_test_id("interactive-dialog")


def test_reply_buttons_are_checked_previewed_sent_and_answered(team, desktop, fake_provider):
    alice, pane, dialog = open_dialog(team, desktop, "Can I change my booking?")
    preview = dialog.get_by_test_id("ia-preview")

    dialog.get_by_test_id("ia-body").fill("Do you want to keep the booking?")
    dialog.get_by_test_id("ia-button-0-title").fill("Yes, keep my booking please")  # 27 characters
    expect(dialog.get_by_test_id("ia-button-0-title-count")).to_have_text("27/20")
    expect(dialog.get_by_test_id("ia-button-0-title-error")).to_have_text("At most 20 characters.")
    dialog.get_by_test_id("dialog-confirm").click()
    expect(dialog).to_contain_text("Check the highlighted fields")
    assert sent_bodies(fake_provider, META_PHONE_ID) == []

    dialog.get_by_test_id("ia-button-0-title").fill("Keep it")
    expect(dialog.get_by_test_id("ia-button-0-title-error")).to_have_text("")
    dialog.get_by_test_id("ia-add-button").click()
    dialog.get_by_test_id("ia-button-1-title").fill("Cancel it")
    dialog.get_by_test_id("ia-button-1-id").fill("cancel")
    dialog.get_by_test_id("ia-add-button").click()
    dialog.get_by_test_id("ia-button-2-title").fill("Call me")
    expect(dialog.get_by_test_id("ia-add-button")).to_be_disabled()  # three at most
    dialog.get_by_test_id("ia-footer").fill("Bookings team")
    expect(preview.locator(".wa-body")).to_have_text("Do you want to keep the booking?")
    expect(preview.locator(".wa-footer")).to_have_text("Bookings team")
    expect(preview.locator(".wa-button")).to_have_text(["Keep it", "Cancel it", "Call me"])
    screenshot(alice, "desktop-interactive-dialog")
    dialog.get_by_test_id("dialog-confirm").click()
    expect(dialog).to_have_count(0)

    bubble = pane.locator("[data-testid=message][data-kind=interactive]")
    expect(bubble.locator(".wa-button")).to_have_text(["Keep it", "Cancel it", "Call me"])
    expect(bubble.get_by_test_id("ticks")).to_have_attribute("data-status", "sent")
    [body] = wait_for(lambda: sent_bodies(fake_provider, META_PHONE_ID))
    assert body["type"] == "interactive" and body["interactive"]["footer"] == {"text": "Bookings team"}
    assert [b["reply"] for b in body["interactive"]["action"]["buttons"]] == [
        {"id": "Keep it", "title": "Keep it"}, {"id": "cancel", "title": "Cancel it"}, {"id": "Call me", "title": "Call me"},
    ]

    sent = next(m for m in messages_of(interaction_of(PHONE)["_id"]) if m["kind"] == "interactive")
    says(team["meta"], PHONE, "Cancel it", kind="button_reply", reply={"id": "cancel", "title": "Cancel it"},
         context_message_id=sent["provider_message_id"])
    choice = pane.locator("[data-testid=message][data-kind=button_reply]")
    expect(choice.get_by_test_id("quote")).to_contain_text("Do you want to keep the booking?")
    expect(choice).to_contain_text("Cancel it")
    screenshot(alice, "desktop-interactive-reply")


def test_a_list_and_a_link_button_show_their_limits_and_preview(team, desktop, fake_provider):
    _, pane, dialog = open_dialog(team, desktop, "Which delivery options are there?")
    dialog.get_by_test_id("ia-type").select_option("list")
    dialog.get_by_test_id("ia-body").fill("Pick a delivery")
    dialog.get_by_test_id("ia-list-button").fill("Options")
    dialog.get_by_test_id("ia-row-0-0-title").fill("Express delivery tomorrow!")  # 26 characters
    expect(dialog.get_by_test_id("ia-row-0-0-title-error")).to_have_text("At most 24 characters.")
    dialog.get_by_test_id("ia-row-0-0-title").fill("Express")
    dialog.get_by_test_id("ia-row-0-0-description").fill("Tomorrow before noon")
    expect(dialog.get_by_test_id("ia-preview").get_by_test_id("interactive-rows")).to_contain_text("Express Tomorrow before noon")

    dialog.get_by_test_id("ia-type").select_option("cta_url")
    dialog.get_by_test_id("ia-cta-text").fill("Track it")
    dialog.get_by_test_id("ia-cta-url").fill("http://parcels.example/track")
    expect(dialog.get_by_test_id("ia-cta-url-error")).to_have_text("Use an https:// link.")
    dialog.get_by_test_id("ia-cta-url").fill("https://parcels.example/track")
    expect(dialog.get_by_test_id("ia-cta-url-error")).to_have_text("")
    dialog.get_by_test_id("dialog-confirm").click()
    link = pane.locator("[data-testid=message][data-kind=interactive] a.wa-button")
    expect(link).to_have_attribute("href", "https://parcels.example/track")
    [body] = wait_for(lambda: sent_bodies(fake_provider, META_PHONE_ID))
    assert body["interactive"]["action"] == {
        "name": "cta_url", "parameters": {"display_text": "Track it", "url": "https://parcels.example/track"},
    }


def test_a_canned_answer_with_buttons_opens_the_dialog_filled_in(team, desktop):
    canned_answers.create_answer({
        "title": "Satisfied?",
        "text": "Did I solve your problem, {contact.first_name}?",
        "queue_ids": [str(team["queue"]["_id"])],
        "buttons": [{"id": "solved", "title": "Yes"}, {"id": "unsolved", "title": "Not yet"}],
    })
    alice = desktop(team["alice"])
    says(team["meta"], PHONE, "Thanks", name="Nora Diaz")
    pane = accept_offer(alice, "Nora Diaz")
    expect(pane.locator("[data-testid=contact-form] input[name=first_name]")).to_have_value("Nora")
    pane.get_by_test_id("canned-button").click()
    alice.get_by_test_id("canned-answer").filter(has_text="Satisfied?").click()
    dialog = alice.get_by_test_id("interactive-dialog")
    expect(dialog.get_by_test_id("ia-body")).to_have_value("Did I solve your problem, Nora?")
    expect(dialog.get_by_test_id("ia-button-1-id")).to_have_value("unsolved")
    expect(dialog.get_by_test_id("ia-preview").locator(".wa-button")).to_have_text(["Yes", "Not yet"])
    dialog.get_by_test_id("dialog-confirm").click()
    expect(pane.locator("[data-testid=message][data-kind=interactive] .wa-button")).to_have_text(["Yes", "Not yet"])


def test_only_providers_that_send_interactive_messages_offer_the_dialog(team, desktop):
    twilio = accounts.create_account(
        "Twilio Shop", "twilio", "+15550008888", queue_id=team["queue"]["_id"],
        credentials={"account_sid": "AC00000000000000000000000000000000"}, secret_values={"auth_token": "t"},
    )
    alice = desktop(team["alice"])
    says(twilio, "+447700900654", "Hello", name="Tess Twilio")
    pane = accept_offer(alice, "Tess Twilio")
    expect(pane.get_by_test_id("window-countdown")).to_contain_text("Window closes")
    expect(pane.get_by_test_id("interactive-button")).to_be_hidden()
    says(team["meta"], PHONE, "Hello", name="Nora Diaz")
    expect(accept_offer(alice, "Nora Diaz").get_by_test_id("interactive-button")).to_be_visible()
    assert get_db().accounts.count_documents({}) == 3
