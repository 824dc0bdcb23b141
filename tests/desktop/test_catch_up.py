"""A desktop that was away longer than the server's replay log reaches back (more events than it
keeps, or the log lost) reloads the conversation and shows every message once, in order."""

import pytest
from playwright.sync_api import expect

from app import queues
from tests.desktop.conftest import accept_offer, customer_texts, says

KEPT = 3
PHONE = "+447700900654"


@pytest.fixture
def config(config):
    config.PARLEY_LIVE_EVENTS_KEPT = KEPT
    return config


def away(page, while_away):
    """Take the page offline, run `while_away`, and bring it back connected."""
    page.context.set_offline(True)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "reconnecting")
    while_away()
    page.context.set_offline(False)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected", timeout=15_000)


def page_loads(page):
    """Requests the page makes for a conversation's latest page."""
    loads = []
    page.on("request", lambda r: loads.append(r.url) if "/api/v1/interactions/" in r.url and "limit=" in r.url else None)
    return loads


def test_more_events_than_the_log_keeps_reload_the_conversation(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Before the drop", name="Lou Longgap")
    pane = accept_offer(alice, "Lou Longgap")
    expect(pane.get_by_test_id("message")).to_have_count(1)
    loads = page_loads(alice)

    away(alice, lambda: [says(account, PHONE, f"While away {n}") for n in range(1, 7)])

    texts = customer_texts(pane)
    expect(texts).to_have_text(["Before the drop", *(f"While away {n}" for n in range(1, 7))])
    assert loads, "the conversation was loaded again, not patched with the 3 events kept"
    says(account, PHONE, "Back again")
    expect(texts).to_have_count(8)
    expect(texts.last).to_have_text("Back again")


def test_a_lost_log_reloads_the_conversation_and_its_interaction(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Before the loss", name="Liv Lostlog")
    pane = accept_offer(alice, "Liv Lostlog")
    expect(pane.get_by_test_id("message")).to_have_count(1)

    def lose_the_log():
        says(account, PHONE, "While away")
        redis = queues.get_redis()
        redis.delete(*redis.scan_iter("parley:events:*"))  # expired, or Redis lost its data

    away(alice, lose_the_log)

    texts = customer_texts(pane)
    expect(texts).to_have_text(["Before the loss", "While away"])
    says(account, PHONE, "And now")
    expect(texts).to_have_text(["Before the loss", "While away", "And now"])
