"""A tab whose interaction the agent may no longer see (transferred to a queue they are not in,
or they left its queue) says so, stays readable as it was, and offers to close itself, instead
of silently going quiet."""

from playwright.sync_api import expect

from app.db import get_db
from app.realtime import push
from app.services.conversations import lifecycle, live
from app.services.setup import queue_admin
from tests.desktop.conftest import accept_offer, says
from tests.desktop.support import interaction_of
from tests.support.browser import screenshot
from tests.support.builders import make_user
from tests.support.engine import make_queue
from tests.support.sockets import wait_for

PHONE = "+447700900437"


def test_a_transfer_to_another_queue_tells_the_agent_and_offers_to_close_the_tab(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], PHONE, "My invoice is wrong", name="Nina Lost")
    pane = accept_offer(alice, "Nina Lost")
    billing = make_queue([team["bob"]["_id"]], name="Billing")
    admin = make_user("admin", name="Ada")

    lifecycle.transfer(admin, interaction_of(PHONE)["_id"], to_queue_id=str(billing["_id"]))
    state = pane.get_by_test_id("state-line")
    expect(state).to_contain_text("Transferred by Ada to queue Billing — you can no longer see new messages.")
    expect(pane.get_by_test_id("composer-input")).to_be_disabled()
    expect(alice.get_by_test_id("offer")).to_have_count(0)  # not offered back: she is not in Billing
    expect(pane.locator("[data-testid=message][data-kind=system]").last).to_contain_text("Transferred by Ada to queue Billing")
    screenshot(alice, "desktop-access-lost")

    says(team["sandbox"], PHONE, "Hello?")
    alice.wait_for_timeout(700)  # time the message would need to show, were the tab still in the room
    expect(pane.locator("[data-testid=message][data-direction=in]")).to_have_count(1)

    state.get_by_test_id("state-close-tab").click()
    expect(alice.get_by_test_id("tab").filter(has_text="Nina Lost")).to_have_count(0)


def test_leaving_the_queue_tells_a_colleague_watching_the_conversation(team, desktop):
    alice_page = desktop(team["alice"])
    says(team["sandbox"], PHONE, "Any news?", name="Nina Lost")
    accept_offer(alice_page, "Nina Lost")
    interaction = interaction_of(PHONE)
    bob = desktop(team["bob"])
    bob.goto(f"/desktop/?open={interaction['_id']}")
    pane = bob.locator("[data-testid=pane]:visible")
    expect(pane.get_by_test_id("state-line")).to_contain_text("Assigned to Alice Agent.")
    # The page opened the tab before its socket connected: it joins the room once connected.
    room = live.interaction_room(interaction["_id"])
    wait_for(lambda: any(room in rooms for rooms in push.watched_rooms(str(team["bob"]["_id"])).values()))

    queue = team["queue"]
    queue_admin.update_queue(queue["_id"], {"agent_ids": [str(team["alice"]["_id"])]})
    expect(pane.get_by_test_id("state-line")).to_contain_text("Your queues changed — you can no longer see new messages.")
    assert get_db().queues.find_one({"_id": queue["_id"]})["agent_ids"] == [team["alice"]["_id"]]


def test_access_lost_while_offline_shows_once_reconnected(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], PHONE, "Still there?", name="Nina Lost")
    pane = accept_offer(alice, "Nina Lost")
    billing = make_queue([team["bob"]["_id"]], name="Billing")

    alice.context.set_offline(True)
    expect(alice.get_by_test_id("connection")).to_have_attribute("data-state", "reconnecting")
    lifecycle.transfer(make_user("admin", name="Ada"), interaction_of(PHONE)["_id"], to_queue_id=str(billing["_id"]))
    alice.context.set_offline(False)
    expect(alice.get_by_test_id("connection")).to_have_attribute("data-state", "connected", timeout=15000)
    # The notice went out while the desktop was away: its watch, refused on reconnecting, says why.
    expect(pane.get_by_test_id("state-line")).to_contain_text(
        "Transferred by Ada to queue Billing — you can no longer see new messages."
    )
    expect(pane.get_by_test_id("state-close-tab")).to_be_visible()
