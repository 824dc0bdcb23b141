"""Customers WhatsApp names by business-scoped user id (BSUID), with or without their number: the
contact and its interaction, the merge when the number comes, replies to the BSUID against the fake
Meta server, and providers that can only answer a number."""

import pytest

from app.db import get_db
from app.providers.events import InboundMessage
from app.services import clock
from app.services.contacts import contact_lists
from app.services.conversations import delivery, inbound, outbound, routing
from app.services.errors import ValidationFailed
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.engine.test_meta_flow import MESSAGES, meta_account, sent_ok
from tests.support.builders import make_user
from tests.support.engine import make_queue, stored_messages
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.webhooks.support import make_account

BSUID = "US.13491208655302741918"
NUMBER = "+15550001111"
WABA = "100000000000002"


def from_customer(n, *, sender=None, user_id=BSUID, username="maria.shops", name="Maria", provider="meta"):
    return InboundMessage(
        provider=provider,
        provider_message_id=f"wamid.BSUID{n}",
        sender=sender,
        kind="text",
        timestamp=clock.now(),
        text=f"Message {n}",
        profile_name=name,
        user_id=user_id,
        username=username,
    )


@pytest.fixture
def shop(app, fake_provider):
    agent = make_user("agent", name="Alice")
    return agent, meta_account(fake_provider, make_queue([agent["_id"]]))


def test_a_customer_without_a_number_becomes_a_contact_known_by_bsuid(shop):
    _, account = shop
    assert inbound.ingest(account, [from_customer(1)]) == {"stored": 1}
    [contact] = get_db().contacts.find({})
    assert "phone" not in contact and "mobile" not in contact
    assert contact["whatsapp_user_ids"] == [f"waba:{WABA}/{BSUID}"]
    assert contact["whatsapp_username"] == "maria.shops" and contact["first_name"] == "Maria"
    [interaction] = get_db().interactions.find({})
    assert interaction["contact"] == {"name": "Maria", "phone": None, "user_id": BSUID, "username": "maria.shops"}
    assert inbound.ingest(account, [from_customer(2)]) == {"stored": 1}
    assert get_db().interactions.count_documents({}) == 1
    assert [m["text"] for m in stored_messages(interaction["_id"])] == ["Message 1", "Message 2"]


def test_a_username_alone_names_the_contact_and_two_numberless_customers_stay_apart(shop):
    _, account = shop
    inbound.ingest(account, [from_customer(1, name=None), from_customer(2, user_id="BR.1502576394655843", name=None,
                                                                          username="joao")])
    names = sorted(i["contact"]["name"] for i in get_db().interactions.find({}))
    assert names == ["joao", "maria.shops"]
    assert get_db().contacts.count_documents({}) == 2  # the unique (list, phone) key spares contacts without one


def test_the_number_arriving_later_merges_into_the_same_contact_and_interaction(shop):
    _, account = shop
    inbound.ingest(account, [from_customer(1)])
    assert inbound.ingest(account, [from_customer(2, sender=NUMBER)]) == {"stored": 1}
    [contact] = get_db().contacts.find({})
    assert contact["phone"] == NUMBER and contact["mobile"] == NUMBER
    [interaction] = get_db().interactions.find({})
    assert interaction["contact"]["phone"] == NUMBER and interaction["contact"]["user_id"] == BSUID
    assert interaction["message_count"] == 2
    # Found by number too now (as a sandbox-style event without BSUID would be)
    assert inbound.ingest(account, [from_customer(3, sender=NUMBER, user_id=None)]) == {"stored": 1}
    assert get_db().interactions.count_documents({}) == 1 and get_db().contacts.count_documents({}) == 1


def test_a_customer_known_by_number_learns_the_bsuid_and_is_found_without_the_number(shop):
    _, account = shop
    inbound.ingest(account, [from_customer(1, sender=NUMBER, user_id=None, username=None)])
    inbound.ingest(account, [from_customer(2, sender=NUMBER)])
    [contact] = get_db().contacts.find({})
    assert contact["whatsapp_user_ids"] == [f"waba:{WABA}/{BSUID}"]
    assert inbound.ingest(account, [from_customer(3)]) == {"stored": 1}  # the number withheld now
    [interaction] = get_db().interactions.find({})
    assert interaction["message_count"] == 3 and interaction["contact"]["phone"] == NUMBER


def test_a_closed_interaction_is_followed_by_a_new_one_for_the_same_contact(shop):
    agent, account = shop
    inbound.ingest(account, [from_customer(1)])
    first = get_db().interactions.find_one({})
    get_db().interactions.update_one({"_id": first["_id"]}, {"$set": {"is_open": False, "status": "closed"}})
    inbound.ingest(account, [from_customer(2)])
    second = get_db().interactions.find_one({"is_open": True})
    assert second["_id"] != first["_id"] and second["contact_id"] == first["contact_id"]
    assert second["previous_interaction_id"] == first["_id"]


def test_the_bsuid_belongs_to_the_account_portfolio(app, fake_provider):
    agent = make_user("agent")
    queue = make_queue([agent["_id"]])
    account = meta_account(fake_provider, queue)
    other = make_account("meta", queue=queue, phone_number_id="100000000000009", waba_id="100000000000099")
    get_db().accounts.update_one({"_id": other["_id"]}, {"$set": {"contact_list_id": None}})
    inbound.ingest(account, [from_customer(1)])
    inbound.ingest(get_db().accounts.find_one({"_id": other["_id"]}), [from_customer(2)])
    # The same BSUID text in another portfolio is another person.
    assert get_db().contacts.count_documents({}) == 2


def test_a_reply_to_a_customer_without_a_number_goes_to_the_bsuid(shop, fake_provider):
    agent, account = shop
    inbound.ingest(account, [from_customer(1)])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    fake_provider.script("POST", MESSAGES, sent_ok("wamid.OUT-BSUID"))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Hello Maria"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [request] = fake_provider.requests_to(MESSAGES)
    assert request.json["recipient"] == BSUID and "to" not in request.json
    assert request.json["text"]["body"] == "Hello Maria"


def test_a_reply_to_a_customer_with_both_goes_to_the_number(shop, fake_provider):
    agent, account = shop
    inbound.ingest(account, [from_customer(1, sender=NUMBER)])
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    fake_provider.script("POST", MESSAGES, sent_ok("wamid.OUT-NUMBER"))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Hello"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [request] = fake_provider.requests_to(MESSAGES)
    assert request.json["to"] == NUMBER.lstrip("+") and "recipient" not in request.json


def test_a_provider_that_answers_numbers_only_stores_the_message_and_refuses_a_reply(app):
    agent = make_user("agent")
    account = make_account("kaleyra", queue=make_queue([agent["_id"]]))
    assert inbound.ingest(account, [from_customer(1, provider="kaleyra")]) == {"stored": 1}
    interaction = routing.accept(agent, get_db().interactions.find_one({})["_id"])
    with pytest.raises(ValidationFailed, match="known only by a WhatsApp user id is not possible with kaleyra"):
        outbound.compose(agent, interaction["_id"], {"text": "Hello"})


def test_a_numberless_contact_can_be_edited_without_inventing_a_number(shop):
    admin = make_user("admin")
    _, account = shop
    inbound.ingest(account, [from_customer(1)])
    contact = get_db().contacts.find_one({})
    updated = contact_lists.update_contact(str(contact["_id"]), {"first_name": "Maria", "last_name": "Rossi",
                                                                 "phone": "", "mobile": ""}, admin)
    assert updated["last_name"] == "Rossi"
    assert "phone" not in get_db().contacts.find_one({})
    assert contact_lists.display_name(get_db().contacts.find_one({})) == "Maria Rossi"


@embedded_only
def test_the_lookups_by_bsuid_and_the_merge_are_served_by_declared_indexes(shop, fake_provider):
    agent, account = shop
    with recording(ENGINE_COLLECTIONS) as shapes:
        inbound.ingest(account, [from_customer(1)])
        first = get_db().interactions.find_one({"account_id": account["_id"], "contact_id": {"$exists": True}})
        get_db().interactions.update_one({"_id": first["_id"]}, {"$set": {"awaiting_recontact_reply": True}})
        inbound.ingest(account, [from_customer(2), from_customer(3, sender=NUMBER)])
        routing.accept(agent, first["_id"])
        fake_provider.script("POST", MESSAGES, sent_ok("wamid.OUT-IDX"))
        sent, _ = outbound.compose(agent, first["_id"], {"text": "Hello"})
        delivery.deliver(str(first["_id"]), sent["id"])
        get_db().interactions.update_one({"_id": first["_id"]}, {"$set": {"is_open": False, "status": "closed"}})
        inbound.ingest(account, [from_customer(4)])
        inbound.ingest(account, [from_customer(5, user_id="BR.1502576394655843", username=None)])
    assert uncovered(shapes) == []
