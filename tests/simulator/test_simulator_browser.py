"""The simulator in Chromium: a customer of the demo sandbox account sends a text and an image; both are
stored, the image is fetched by the real worker, and both are visible through the REST API and /media.
An agent's reply then shows up on the simulated phone, which acknowledges it until the ticks are blue.
Then, next to agent1's desktop: read ticks on the customer's own messages, the attach menu and its sheets
inside the phone, and "jump 24 h ahead" leading the desktop to the recontact path."""

import re

from playwright.sync_api import expect

from app.db import get_db
from app.providers.errors import WINDOW_CLOSED_MESSAGE
from app.services import demo
from app.services.conversations import outbound, routing
from app.services.people import users
from tests.media.support import PNG
from tests.support.browser import screenshot, sign_in_page
from tests.support.engine import stored_message, stored_messages
from tests.webhooks.support import send_now


def open_simulator(new_page, email):
    demo.seed_demo()
    page = new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in_page(page, email, demo.DEMO_PASSWORD)
    page.wait_for_load_state()
    page.goto("/simulator/")
    page.errors = errors
    return page, page.input_value("[data-testid=sim-phone]")


def test_a_customer_sends_text_and_image_through_the_simulator(new_page):
    page, phone = open_simulator(new_page, "admin@parley.example")
    page.fill("[data-testid=sim-name]", "Robin Buyer")
    page.fill("[data-testid=sim-text]", "Hello, is my order on its way?")
    page.click("[data-testid=sim-send]")
    page.wait_for_selector("[data-testid=sim-customer-message] >> text=Hello, is my order on its way?")
    page.click("[data-testid=sim-attach]")
    page.set_input_files("[data-testid=sim-file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    # The one worker thread may be loading the sentiment model first: give the download time.
    page.wait_for_selector("[data-testid=sim-customer-message] img.sim-image", timeout=60_000)
    assert page.text_content("[data-testid=sim-error]") == ""

    account = get_db().accounts.find_one({"name": demo.DEMO_ACCOUNT})
    interaction = get_db().interactions.find_one({"account_id": account["_id"]})
    assert interaction["contact"]["phone"] == phone
    text, image = stored_messages(interaction["_id"])
    assert text["text"] == "Hello, is my order on its way?"
    assert image["kind"] == "image" and image["media"]["state"] == "ready" and "url" not in image["media"]

    listed = page.request.get(f"/api/v1/interactions?account_id={account['_id']}").json()["data"]
    assert [row["id"] for row in listed] == [str(interaction["_id"])]
    detail = page.request.get(f"/api/v1/interactions/{interaction['_id']}").json()
    kinds = {m["kind"]: m for m in detail["messages"]}
    assert kinds["text"]["text"] == "Hello, is my order on its way?"
    file_id = kinds["image"]["media"]["file_id"]
    served = page.request.get(f"/media/{file_id}")
    assert served.status == 200 and served.headers["content-type"] == "image/png" and served.body() == PNG

    agent = users.find_by_email("agent1@parley.example")
    routing.accept(agent, interaction["_id"])
    reply, _ = outbound.compose(agent, interaction["_id"], {"kind": "text", "text": "Yes, it arrives tomorrow."})
    send_now(interaction["_id"], reply["id"])
    page.wait_for_selector("[data-testid=sim-agent-message] >> text=Yes, it arrives tomorrow.")
    page.wait_for_selector("[data-testid=sim-agent-message] [data-testid=sim-tick][data-status=read]")
    acknowledged = stored_message(interaction["_id"], reply["id"])["status"]
    assert acknowledged == "read", "the simulated phone acknowledged through the webhook"
    assert page.errors == []
    screenshot(page, "simulator-conversation")


def test_read_ticks_the_menu_inside_the_phone_and_the_jump_to_the_recontact_path(new_page):
    sim, phone = open_simulator(new_page, "agent2@parley.example")  # any role may play a customer
    sim.fill("[data-testid=sim-name]", "Wendy Window")
    sim.fill("[data-testid=sim-text]", "Hi, I need help with my order")
    sim.click("[data-testid=sim-send]")
    first = sim.locator("[data-testid=sim-customer-message]").first
    expect(first.get_by_test_id("sim-tick")).to_have_attribute("data-status", "delivered")

    desk = new_page()
    sign_in_page(desk, "agent1@parley.example", demo.DEMO_PASSWORD)
    desk.wait_for_url("**/desktop/")
    desk.get_by_test_id("offer").filter(has_text="Wendy Window").get_by_test_id("offer-accept").click()
    pane = desk.locator("[data-testid=pane]:visible")
    expect(pane.get_by_test_id("window-countdown")).to_contain_text("Window closes in")
    expect(pane.get_by_test_id("message")).to_have_count(1)
    sim.fill("[data-testid=sim-text]", "Order 4411")
    sim.click("[data-testid=sim-send]")
    # The agent has the conversation open: the read receipt for the latest message turns every tick blue.
    ticks = sim.locator("[data-testid=sim-customer-message] [data-testid=sim-tick]")
    expect(ticks).to_have_count(2)
    # The receipt is a job: the one worker thread may be loading the sentiment model first.
    expect(ticks.first).to_have_attribute("data-status", "read", timeout=90_000)
    expect(ticks.last).to_have_attribute("data-status", "read")

    # Menu and sheets stay inside the phone frame, which keeps its size.
    frame = sim.get_by_test_id("sim-phone-frame")
    before = frame.bounding_box()
    sim.click("[data-testid=sim-attach]")
    expect(sim.get_by_test_id("sim-menu")).to_be_visible()
    assert inside(sim.get_by_test_id("sim-menu").bounding_box(), before)
    screenshot(sim, "simulator-attach-menu")
    sim.click("[data-testid=sim-menu-location]")
    sheet = sim.get_by_test_id("sim-location-sheet")
    expect(sheet).to_be_visible()
    expect(sim.get_by_test_id("sim-menu")).to_be_hidden()
    assert frame.bounding_box() == before and inside(sheet.bounding_box(), before)
    assert sheet.locator("input").first.evaluate("e => getComputedStyle(e).borderRadius") == "8px", "styled like every form"
    screenshot(sim, "simulator-location-sheet")
    sim.click("[data-testid=sim-send-location]")
    expect(sheet).to_be_hidden()
    expect(sim.locator("[data-testid=sim-customer-message][data-kind=location]")).to_have_count(1)

    expect(sim.get_by_test_id("sim-window")).to_have_text("24 h window open")
    sim.click("[data-testid=sim-jump]")
    expect(sim.get_by_test_id("sim-notice")).to_contain_text("window is closed")
    expect(sim.get_by_test_id("sim-window")).to_have_text("24 h window closed")
    screenshot(sim, "simulator-window-jumped")

    expect(pane.get_by_test_id("window-countdown")).to_have_text("24-hour window closed")
    composer = pane.get_by_test_id("composer-input")
    composer.fill("Are you still there?")
    composer.press("Enter")
    expect(pane.get_by_test_id("composer-notice")).to_contain_text("The 24-hour window is closed")
    pane.get_by_test_id("composer-notice").get_by_test_id("send-anyway").click()
    refused = pane.locator("[data-testid=message][data-direction=out]").last
    expect(refused.get_by_test_id("ticks")).to_have_attribute("data-status", "failed")
    expect(refused.get_by_test_id("ticks")).to_have_attribute("title", WINDOW_CLOSED_MESSAGE)
    expect(refused.get_by_test_id("failure")).to_contain_text(WINDOW_CLOSED_MESSAGE)
    screenshot(desk, "desktop-after-simulator-jump")
    pane.get_by_test_id("recontact").click()
    desk.get_by_test_id("recontact-dialog").get_by_test_id("dialog-confirm").click()
    template = pane.locator("[data-testid=message][data-kind=template]")
    # Sent; the simulated phone acknowledges it at once, so it may already show delivered or read.
    expect(template.get_by_test_id("ticks")).to_have_attribute("data-status", re.compile("^(sent|delivered|read)$"))
    expect(sim.locator("[data-testid=sim-agent-message][data-kind=template]")).to_have_count(1)
    expect(sim.locator("[data-testid=sim-agent-message]", has_text="Are you still there?")).to_have_count(0)
    assert get_db().interactions.find_one({"contact.phone": phone})["window_expired"] is True
    assert sim.errors == []


def inside(box, frame):
    return (
        box["x"] >= frame["x"]
        and box["y"] >= frame["y"]
        and box["x"] + box["width"] <= frame["x"] + frame["width"]
        and box["y"] + box["height"] <= frame["y"] + frame["height"]
    )


def test_a_conversation_handed_to_an_agent_on_the_desktop_is_read_and_the_customer_sees_it(new_page):
    """The tab opens from the "assigned" event before its data arrives; it is read once loaded."""
    sim, phone = open_simulator(new_page, "admin@parley.example")
    sim.fill("[data-testid=sim-name]", "Hana Handed")
    sim.fill("[data-testid=sim-text]", "Anyone there?")
    sim.click("[data-testid=sim-send]")
    tick = sim.locator("[data-testid=sim-customer-message] [data-testid=sim-tick]")
    expect(tick).to_have_attribute("data-status", "delivered")
    desk = new_page()
    sign_in_page(desk, "agent1@parley.example", demo.DEMO_PASSWORD)
    desk.wait_for_url("**/desktop/")
    expect(desk.get_by_test_id("offer").filter(has_text="Hana Handed")).to_be_visible()
    interaction = get_db().interactions.find_one({"contact.phone": phone})
    routing.accept(users.find_by_email("agent1@parley.example"), interaction["_id"])  # as an admin handing it over
    expect(desk.locator("[data-testid=pane]:visible").get_by_test_id("message")).to_have_count(1)
    # The receipt is a job: the one worker thread may be loading the sentiment model first.
    expect(tick).to_have_attribute("data-status", "read", timeout=90_000)
    assert sim.errors == []
