"""The supervision panels in Chromium: an agent's presence change shows at once, a waiting customer
shows in its queue, and the admin moves them to an agent, whose desktop opens the conversation."""

from playwright.sync_api import expect

from app import queues
from app.realtime import push
from app.services import clock
from app.services.routing import presence
from tests.interactions.support import says
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def pause(agent, reason):
    """What routing does when an agent pauses: record the state, then tell the admins."""
    since = clock.now().isoformat().replace("+00:00", "Z")
    queues.get_redis().hset(presence.state_key(agent["_id"]), mapping={"state": "paused", "reason": reason, "since": since})
    payload = {"agent_id": str(agent["_id"]), "name": agent["name"], "state": "paused", "reason": reason, "since": since}
    push.emit("agent_state", payload, push.ADMINS_ROOM)


def signed_in(new_page, user, landing):
    page = new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in_page(page, user["email"], PASSWORD)
    page.goto(landing)
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    return page, errors


def test_presence_shows_live_and_the_admin_moves_a_waiting_customer_to_an_agent(new_page, team):
    desktop, desktop_errors = signed_in(new_page, team["alice"], "/desktop/")
    admin, admin_errors = signed_in(new_page, team["admin"], "/dashboard/")
    agents = admin.get_by_test_id("sv-agent")
    alice, bob = agents.filter(has_text="Alice"), agents.filter(has_text="Bob")
    expect(alice.get_by_test_id("sv-presence")).to_have_text("Online")  # her desktop's socket
    expect(bob.get_by_test_id("sv-presence")).to_have_text("Offline")
    expect(alice.get_by_test_id("sv-load")).to_have_text("0")

    pause(team["bob"], "Lunch")
    expect(bob.get_by_test_id("sv-presence")).to_have_text("Paused · Lunch")
    expect(bob.get_by_test_id("sv-since")).to_have_text("0 s")
    expect(bob.get_by_test_id("sv-since")).to_have_text("1 s")  # ticks on its own
    sales = admin.locator("[data-testid=sv-queue][data-queue=Sales]")
    expect(sales.get_by_test_id("sv-presence-counts")).to_have_text("1 · 1 · 0")

    says(team["account"], "+447700900701", "Is anyone there?", name="Maria Waiting")
    expect(sales.get_by_test_id("sv-waiting")).to_have_text("1")
    expect(sales.get_by_test_id("sv-service-level")).to_contain_text("target 1 min (default)")
    sales.get_by_test_id("sv-queue-toggle").click()
    waiting = sales.get_by_test_id("sv-waiting-item")
    expect(waiting).to_contain_text("Maria Waiting")
    expect(waiting).to_contain_text("Is anyone there?")
    waiting.get_by_test_id("sv-assign").click()
    expect(waiting.get_by_test_id("sv-assign-error")).to_have_text("Choose an agent.")
    picker = waiting.get_by_test_id("sv-agent-pick")
    assert picker.locator("option").all_text_contents() == [
        "Choose an agent…", "Alice · Online · 0 open", "Bob · Paused · Lunch · 0 open"
    ]
    picker.select_option(str(team["alice"]["_id"]))
    screenshot(admin, "dashboard-supervision")
    waiting.get_by_test_id("sv-assign").click()

    expect(admin.get_by_test_id("sv-notice")).to_have_text("Maria Waiting assigned to Alice.")
    expect(desktop.get_by_test_id("tab").filter(has_text="Maria Waiting")).to_be_visible()
    expect(desktop.locator("[data-testid=pane]:visible")).to_contain_text("Assigned to Alice by Ada")
    expect(sales.get_by_test_id("sv-waiting")).to_have_text("0")
    expect(sales.get_by_test_id("sv-waiting-item")).to_have_count(0)
    expect(alice.get_by_test_id("sv-load")).to_have_text("1")
    expect(sales.get_by_test_id("sv-open")).to_have_text("1")
    assert desktop_errors == [] and admin_errors == []
