"""Meta webhooks of a customer WhatsApp names by business-scoped user id, end to end: signed
deliveries to the endpoint, the workers applying them, the reply to the BSUID on the fake Meta
server, its status arriving without a number, and the pages showing the username, never "None"."""

from app.db import get_db
from app.services.conversations import delivery, outbound, routing
from tests.fakes.provider_server import FakeResponse
from tests.support.builders import make_user
from tests.support.engine import make_queue, stored_message, stored_messages
from tests.webhooks.support import make_account, outcomes, post_fixture

BSUID = "US.13491208655302741918"
MESSAGES = "/v23.0/100000000000001/messages"
NUMBERLESS = (
    "meta/inbound_bsuid_text.json",
    "meta/inbound_bsuid_image.json",
    "meta/inbound_bsuid_interactive_button_reply.json",
    "meta/inbound_bsuid_location.json",
)


def test_numberless_messages_then_the_number_make_one_contact_one_interaction(app, client, fake_provider):
    agent = make_user("agent", name="Alice")
    account = make_account("meta", queue=make_queue([agent["_id"]]), api_base=f"{fake_provider.url}/v23.0")
    for rel in NUMBERLESS:
        assert outcomes(post_fixture(client, account, rel)) == {"stored": 1}, rel
    [interaction] = get_db().interactions.find({})
    assert interaction["contact"] == {"name": "Maria", "phone": None, "user_id": BSUID, "username": "maria.shops"}
    kinds = [m["kind"] for m in stored_messages(interaction["_id"])]
    assert kinds == ["text", "image", "button_reply", "location"]

    routing.accept(agent, interaction["_id"])
    wamid = "wamid.FAKEBSUID0000000000000010="  # the id status_bsuid_delivered.json reports on
    fake_provider.script("POST", MESSAGES, FakeResponse(200, {"contacts": [{"input": BSUID, "user_id": BSUID}],
                                                              "messages": [{"id": wamid}]}))
    sent, _ = outbound.compose(agent, interaction["_id"], {"text": "Thanks Maria"})
    assert delivery.deliver(str(interaction["_id"]), sent["id"]) == "sent"
    [request] = fake_provider.requests_to(MESSAGES)
    assert request.json["recipient"] == BSUID and "to" not in request.json
    assert outcomes(post_fixture(client, account, "meta/status_bsuid_delivered.json")) == {"applied": 1}
    assert stored_message(interaction["_id"], sent["id"])["status"] == "delivered"

    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text_with_number.json")) == {"stored": 1}
    assert get_db().interactions.count_documents({}) == 1 and get_db().contacts.count_documents({}) == 1
    assert get_db().contacts.find_one({})["phone"] == "+15550001111"
    assert get_db().interactions.find_one({})["contact"]["phone"] == "+15550001111"


def test_the_list_and_the_interaction_page_show_the_username_never_none(app, client, admin_client):
    account = make_account("meta")
    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text.json")) == {"stored": 1}
    interaction = get_db().interactions.find_one({})
    listing = admin_client.get("/interactions/").get_data(as_text=True)
    assert "Maria" in listing and "maria.shops" in listing and "None" not in listing
    page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "maria.shops" in page and "Not shared on WhatsApp" in page and ">None<" not in page


def test_a_numberless_customers_history_is_found_by_their_contact(app, client, admin_client):
    account = make_account("meta")
    assert outcomes(post_fixture(client, account, "meta/inbound_bsuid_text.json")) == {"stored": 1}
    first = get_db().interactions.find_one({})
    get_db().interactions.update_one({"_id": first["_id"]}, {"$set": {"is_open": False, "status": "closed"}})
    again = post_fixture(client, account, "meta/inbound_bsuid_image.json")
    assert outcomes(again) == {"stored": 1}
    second = get_db().interactions.find_one({"_id": {"$ne": first["_id"]}})
    assert second["contact_id"] == first["contact_id"]

    listed = admin_client.get(f"/api/v1/interactions?contact_id={first['contact_id']}&sort=-start").get_json()["data"]
    assert [row["id"] for row in listed] == [str(second["_id"]), str(first["_id"])]
    assert admin_client.get("/api/v1/interactions?contact_id=nope").status_code == 400
    page = admin_client.get(f"/interactions/{second['_id']}").get_data(as_text=True)
    journey = page[page.index('data-testid="side-journey"'):]
    assert f"/interactions/{first['_id']}" in journey
