"""The offers strip takes a transfer event that does not carry the interaction: it asks the
server where the interaction went instead of failing."""

from playwright.sync_api import expect
from pymongo import ReturnDocument

from app.db import get_db
from app.services.conversations import live
from tests.desktop.conftest import says
from tests.desktop.support import interaction_of
from tests.support.engine import make_queue

PHONE = "+447700900432"


def _transferred_without_card(interaction_id, changes, agent_id):
    doc = get_db().interactions.find_one_and_update(
        {"_id": interaction_id}, {"$set": changes, "$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER
    )
    live.publish(doc, "transferred", {}, extra_agent_ids=[str(agent_id)])


def test_transfer_event_without_interaction(team, desktop):
    alice = desktop(team["alice"])
    says(team["sandbox"], PHONE, "Hello there", name="Ivan Ivanov")
    offer = alice.get_by_test_id("offer").filter(has_text="Ivan Ivanov")
    expect(offer).to_be_visible()
    interaction = interaction_of(PHONE)

    # Still waiting in Alice's queue: the card stays.
    _transferred_without_card(interaction["_id"], {"status": "queued"}, team["alice"]["_id"])
    alice.wait_for_timeout(500)
    expect(offer).to_be_visible()

    # Moved to a queue Alice is not in: the card goes.
    elsewhere = make_queue([team["bob"]["_id"]], name="Billing")
    _transferred_without_card(interaction["_id"], {"queue_id": elsewhere["_id"], "queue_name": "Billing"}, team["alice"]["_id"])
    expect(offer).to_have_count(0)
    assert "new" not in alice.title()
