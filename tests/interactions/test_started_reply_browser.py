"""In Chromium: an agent starts a conversation with "+", the customer answers through the sandbox
webhook, and the answer appears live on the agent's desktop; after a reload all three messages
are still there."""

import json

import requests
from playwright.sync_api import expect

from app.db import get_db
from app.providers import sandbox
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.sockets import wait_for
from tests.webhooks.support import path_of, signed

CUSTOMER = "+447700900597"


def test_the_customers_answer_to_a_started_conversation_appears_live(new_page, team, live_server):
    account = team["account"]
    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)
    page.goto("/interactions/")
    page.click("[data-testid=new-interaction]")
    page.select_option("[data-testid=new-account]", label=account["name"])
    page.fill("[data-testid=new-phone]", CUSTOMER)
    page.press("[data-testid=new-phone]", "Tab")
    page.check("[data-testid=new-mode-text]")
    page.fill("[data-testid=new-text]", "Hello, your parcel is here")
    page.click("[data-testid=new-send]")
    page.wait_for_url("**/desktop/?open=*")
    pane = page.locator("[data-testid=pane]:visible")
    expect(pane.get_by_test_id("message")).to_have_count(1)

    headers, body = signed(account, {"events": [sandbox.build_inbound(CUSTOMER, text="Great, I am at home")]})
    answer = requests.post(live_server.url + path_of(account), data=body, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "counts": {"accepted": 1}}, answer.text

    expect(pane.get_by_test_id("message").filter(has_text="Great, I am at home")).to_be_visible()
    pane.get_by_test_id("composer-input").fill("On my way up")
    pane.get_by_test_id("composer-input").press("Enter")
    expect(pane.get_by_test_id("message")).to_have_count(3)
    screenshot(page, "started-conversation-answered")

    # The follow-up jobs of the answer ran too (its sentiment), so the worker ends idle.
    assert wait_for(lambda: get_db().interactions.find_one({"contact.phone": CUSTOMER})["sentiment"], timeout=90)
    page.reload()
    pane = page.locator("[data-testid=pane]:visible")
    expect(pane.get_by_test_id("message")).to_have_count(3)
    texts = pane.get_by_test_id("message").all_inner_texts()
    expected = ["Hello, your parcel is here", "Great, I am at home", "On my way up"]
    assert all(want in got for want, got in zip(expected, texts, strict=True)), json.dumps(texts)
