"""Meta's system messages about a customer's new number or business-scoped user id, end to end:
signed deliveries, the workers applying them, the contact and its open interaction taking the new
ids, the agents' line, the customer's next message finding the same conversation, and the reply
going to the new number on the fake Meta server."""

from app.db import get_db
from app.services.conversations import delivery, outbound, routing
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import make_user
from tests.support.engine import make_queue, stored_messages
from tests.webhooks.support import deliver, make_account, outcomes, post_fixture, signed

OLD_BSUID, NEW_BSUID = "US.13491208655302741918", "US.13491208655302741977"
MESSAGES = "/v23.0/100000000000001/messages"


def _customer_text(msg_id, sender, user_id, text):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "100000000000002",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550001000", "phone_number_id": "100000000000001"},
                            "contacts": [{"profile": {"name": "Maria"}, "wa_id": sender, "user_id": user_id}],
                            "messages": [
                                {
                                    "from": sender,
                                    "from_user_id": user_id,
                                    "id": msg_id,
                                    "timestamp": "1780000300",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def test_a_new_number_moves_the_contact_and_its_conversation_and_replies_follow(app, client, fake_provider):
    agent = make_user("agent", name="Alice")
    account = make_account("meta", queue=make_queue([agent["_id"]]), api_base=f"{fake_provider.url}/v23.0")
    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text_with_number.json")) == {"stored": 1}
    interaction = get_db().interactions.find_one({})
    routing.accept(agent, interaction["_id"])

    response = post_fixture(client, account, "meta/inbound_system_user_changed_number_bsuid.json")
    assert outcomes(response) == {"identity_changed": 1}
    contact = get_db().contacts.find_one({})
    assert contact["phone"] == "+15550002222" and contact["previous_phones"] == ["+15550001111"]
    assert [k.rsplit("/", 1)[1] for k in contact["whatsapp_user_ids"]] == [NEW_BSUID]
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["contact"]["phone"] == "+15550002222" and doc["contact"]["user_id"] == NEW_BSUID
    line = stored_messages(interaction["_id"])[-1]
    assert line["direction"] == "system"
    assert (
        line["text"]
        == "The customer changed their WhatsApp number from +15550001111 to +15550002222; replies go to the new number."
    )

    # WhatsApp repeats the delivery: nothing changes twice.
    assert outcomes(post_fixture(client, account, "meta/inbound_system_user_changed_number_bsuid.json")) == {"duplicate": 1}
    assert len(stored_messages(interaction["_id"])) == 2

    # The customer writes from the new number: the same conversation, the same contact.
    assert outcomes(_post(client, account, _customer_text("wamid.FAKENEW1=", "15550002222", NEW_BSUID, "New phone!"))) == {
        "stored": 1
    }
    assert get_db().interactions.count_documents({}) == 1 and get_db().contacts.count_documents({}) == 1
    assert [m["kind"] for m in stored_messages(interaction["_id"])] == ["text", "system", "text"]

    fake_provider.script("POST", MESSAGES, FakeResponse(200, {"messages": [{"id": "wamid.FAKEOUT1="}]}))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Got it"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [request] = fake_provider.requests_to(MESSAGES)
    assert request.json["to"] == "15550002222"


def test_a_new_user_id_without_a_number_keeps_one_contact_and_one_conversation(app, client):
    account = make_account("meta")
    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text.json")) == {"stored": 1}
    interaction = get_db().interactions.find_one({})
    assert outcomes(post_fixture(client, account, "meta/inbound_system_user_changed_user_id.json")) == {"identity_changed": 1}
    contact = get_db().contacts.find_one({})
    assert contact.get("phone") in (None, "") and [k.rsplit("/", 1)[1] for k in contact["whatsapp_user_ids"]] == [
        "US.13491208655302741999"
    ]
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["contact"]["user_id"] == "US.13491208655302741999"
    assert (
        stored_messages(interaction["_id"])[-1]["text"] == "The customer's WhatsApp user id changed; replies go to the new one."
    )


def test_a_change_for_a_customer_never_seen_changes_nothing(app, client):
    account = make_account("meta")
    assert outcomes(post_fixture(client, account, "meta/inbound_system_user_changed_user_id.json")) == {"orphan_identity": 1}
    assert get_db().contacts.count_documents({}) == 0 and get_db().interactions.count_documents({}) == 0


def test_a_number_another_contact_holds_stays_there(app, client):
    account = make_account("meta")
    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text_with_number.json")) == {"stored": 1}
    other = _customer_text("wamid.FAKEOTHER=", "15550002222", "US.5550002222", "I have that number")
    assert outcomes(_post(client, account, other)) == {"stored": 1}
    assert outcomes(post_fixture(client, account, "meta/inbound_system_user_changed_number_bsuid.json")) == {
        "identity_changed": 1
    }
    maria = get_db().contacts.find_one({"whatsapp_name": "Test User"}) or get_db().contacts.find_one({"phone": "+15550001111"})
    assert maria["phone"] == "+15550001111"
    assert get_db().contacts.count_documents({"phone": "+15550002222"}) == 1


def _post(client, account, payload):
    """A Meta webhook body built here, signed and delivered like a fixture."""
    headers, body = signed(account, payload)
    return deliver(client, account, body, headers)
