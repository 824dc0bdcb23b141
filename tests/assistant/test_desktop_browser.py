"""The desktop in Chromium: the bot's conversations in the "Bot" list, never offered, and taken over with one click."""

from playwright.sync_api import expect

from app.db import get_db
from tests.assistant.support import bot_account, customer_sends, fresh, interaction_of
from tests.assistant.test_flow import sent
from tests.fakes.chat_completions import completion
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def test_an_agent_takes_a_conversation_over_from_the_bot(new_page, client, fake_chat):
    account, alice = bot_account(fake_chat)
    fake_chat.always(completion("Our bikes start at 300 EUR."))
    page = new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in_page(page, alice["email"], PASSWORD)
    page.wait_for_url("**/desktop/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")

    customer_sends(client, account, "How much is a bike?")
    interaction = interaction_of(account)
    sent(interaction, 1)
    page.get_by_test_id("bot-list-toggle").click()
    row = page.get_by_test_id("bot-row").filter(has_text="+447700900777")
    expect(row.get_by_test_id("bot-caption")).to_have_text("Bot")
    expect(row).to_contain_text("Our bikes start at 300 EUR.")
    expect(page.get_by_test_id("bot-count")).to_have_text("1")
    expect(page.get_by_test_id("offer")).to_have_count(0)
    screenshot(page, "assistant-bot-list")

    row.get_by_test_id("bot-takeover").click()
    pane = page.locator("[data-testid=pane]:visible")
    expect(pane.locator("[data-testid=message][data-author=bot]")).to_contain_text("Our bikes start at 300 EUR.")
    expect(pane.locator("[data-testid=message][data-author=bot]")).to_contain_text("Bot")
    expect(pane).to_contain_text("Alice Agent took over from the assistant.")
    expect(page.get_by_test_id("bot-list")).to_be_hidden()
    doc = fresh(interaction)
    assert (doc["status"], doc["agent_id"]) == ("open", alice["_id"])
    page.get_by_test_id("bot-list-toggle").click()
    expect(page.get_by_test_id("bot-list")).to_contain_text("The bot is answering no one right now.")
    assert get_db().messages.count_documents({"author": "bot"}) == 1
    assert not errors, errors


def test_the_show_page_takes_a_conversation_over_from_the_bot(new_page, client, fake_chat, admin):
    account, _ = bot_account(fake_chat)
    customer_sends(client, account, "Hello")
    interaction = interaction_of(account)
    sent(interaction, 1)
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto(f"/interactions/{interaction['_id']}")
    expect(page.get_by_test_id("status")).to_have_text("Bot")
    expect(page.locator("[data-testid=message][data-author=bot]")).to_contain_text("Hello! How can I help?")
    page.get_by_test_id("take").click()
    page.wait_for_url("**/desktop/**")
    expect(page.locator("[data-testid=pane]:visible")).to_contain_text("took over from the assistant.")
    doc = fresh(interaction)
    assert (doc["status"], doc["agent_id"]) == ("open", admin["_id"])


def test_the_bot_list_follows_customers_live_without_waiting_for_its_poll(new_page, client, fake_chat):
    """The queue's online agents get a customer's messages to the bot as they arrive: the count
    moves, and the open list shows the new conversation, well before the 15 s poll."""
    account, alice = bot_account(fake_chat)
    fake_chat.always(completion("Happy to help."))
    page = new_page()
    sign_in_page(page, alice["email"], PASSWORD)
    page.wait_for_url("**/desktop/")
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(page.get_by_test_id("bot-count")).to_have_text("0")

    customer_sends(client, account, "Do you ship to Spain?")
    expect(page.get_by_test_id("bot-count")).to_have_text("1", timeout=5000)
    page.get_by_test_id("bot-list-toggle").click()
    customer_sends(client, account, "And to Portugal?", sender="+447700900778")
    expect(page.get_by_test_id("bot-row").filter(has_text="+447700900778")).to_be_visible(timeout=5000)
    expect(page.get_by_test_id("bot-count")).to_have_text("2")
