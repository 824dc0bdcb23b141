"""The interactions REST API: list filters, detail with message pages, actions, and misuse."""

from datetime import timedelta

import pytest
from bson import ObjectId

from app import queues
from app.db import get_db
from app.services import clock
from app.services.conversations import inbound, live, routing
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.engine.helpers import make_template
from tests.support.builders import make_user
from tests.support.engine import customer_says, stored_messages


@pytest.fixture
def apis(client, team):
    admin = make_user("admin")
    return {
        who: Api(client, api_tokens.create_token(user["_id"], "tests")[0])
        for who, user in (("alice", team["alice"]), ("bob", team["bob"]), ("carol", team["carol"]), ("admin", admin))
    }


def inbound_from(team, phone, text, name=None):
    inbound.ingest(
        team["account"], customer_says(team["account"], phone, text, name=name, timestamp=int(clock.now().timestamp()))
    )
    return str(get_db().interactions.find_one({"contact.phone": phone, "is_open": True})["_id"])


def test_accept_reply_and_close_over_the_api(team, apis):
    get_db().dispositions.insert_one({"name": "Resolved"})
    iid = inbound_from(team, "+447700900123", "Where is my parcel?", name="Maria")
    assert apis["bob"].post(f"/interactions/{iid}/accept").status_code == 200
    taken = apis["alice"].post(f"/interactions/{iid}/accept")
    assert taken.status_code == 409 and "Bob" in taken.get_json()["error"]["message"]
    sent = apis["bob"].post(f"/interactions/{iid}/messages", json={"text": "On its way!", "client_id": "web-0000001"})
    assert sent.status_code == 201 and sent.get_json()["message"]["status"] == "queued"
    detail = apis["bob"].get(f"/interactions/{iid}").get_json()
    assert [m["text"] for m in detail["messages"]] == ["Where is my parcel?", "On its way!"]
    assert detail["interaction"]["agent_name"] == "Bob" and "search_terms" not in detail["interaction"]
    closed = apis["bob"].post(f"/interactions/{iid}/close", json={"disposition": "Resolved"})
    assert closed.status_code == 200 and closed.get_json()["interaction"]["status"] == "closed"
    again = apis["bob"].post(f"/interactions/{iid}/messages", json={"text": "hello?"})
    assert again.status_code == 409


def test_misuse_gets_a_clear_4xx_and_changes_nothing(team, apis):
    iid = inbound_from(team, "+447700900123", "hi")
    checks = [
        (apis["carol"].post(f"/interactions/{iid}/accept"), 403),  # another queue
        (apis["alice"].post(f"/interactions/{iid}/messages", json={"text": "not accepted yet"}), 403),
        (apis["alice"].post("/interactions/nope/accept"), 404),
        (apis["alice"].post(f"/interactions/{iid}/messages", data="not json"), 400),
    ]
    apis["alice"].post(f"/interactions/{iid}/accept")
    template = make_template(team["account"])
    checks += [
        (
            apis["alice"].post(
                f"/interactions/{iid}/messages",
                json={"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["one"]}},
            ),
            422,
        ),
        (apis["alice"].post(f"/interactions/{iid}/close", json={"disposition": "Made up"}), 422),
        (apis["alice"].post(f"/interactions/{iid}/transfer", json={}), 422),
        (apis["alice"].post(f"/interactions/{iid}/reopen"), 409),
    ]
    for response, status in checks:
        assert response.status_code == status, response.get_json()
        assert response.get_json()["error"]["message"]
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.allow_transfer": False}})
    refused = apis["alice"].post(f"/interactions/{iid}/transfer", json={"agent_id": str(team["bob"]["_id"])})
    assert refused.status_code == 403
    doc = get_db().interactions.find_one({"_id": get_db().interactions.find_one({})["_id"]})
    assert doc["status"] == "open" and doc["agent_id"] == team["alice"]["_id"]
    assert [m["direction"] for m in stored_messages(doc["_id"])] == ["in"]


def test_the_list_filters_and_searches(team, apis):
    get_db().tags.insert_one({"name": "vip"})
    first = inbound_from(team, "+447700900001", "My invoice is wrong", name="Maria Rossi")
    clock.advance(timedelta(hours=2))
    second = inbound_from(team, "+447700900002", "Hello there", name="João Silva")
    apis["alice"].post(f"/interactions/{first}/accept")
    apis["alice"].post(f"/interactions/{first}/close", json={"tags": ["vip"]})

    def ids(api, **params):
        response = api.get("/interactions", query_string=params)
        assert response.status_code == 200, response.get_json()
        return [row["id"] for row in response.get_json()["data"]]

    assert ids(apis["admin"]) == [second, first]
    assert ids(apis["admin"], sort="start") == [first, second]
    assert ids(apis["admin"], status="closed") == [first]
    assert ids(apis["admin"], status="queued") == [second]
    assert ids(apis["admin"], tag="vip") == [first]
    assert ids(apis["admin"], q="invoice") == [first]
    assert ids(apis["admin"], q="joao") == [second]  # accents folded
    assert ids(apis["admin"], q="+44 7700 900002") == [second]
    assert ids(apis["admin"], first_agent_id=str(team["alice"]["_id"])) == [first]
    assert ids(apis["admin"], read="false") == [second]
    assert ids(apis["bob"]) == [second, first]
    assert ids(apis["carol"]) == []  # another queue


@pytest.mark.parametrize(
    "params",
    [
        {"status": "maybe"},
        {"start_from": "yesterday"},
        {"page": "0"},
        {"per_page": "1000"},
        {"agent_id": "123"},
        {"sort": "name"},
        {"read": "perhaps"},
        {"page": "99999999"},
    ],
)
def test_bad_filters_are_a_400_naming_the_field(team, apis, params):
    response = apis["admin"].get("/interactions", query_string=params)
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == set(params)


def test_large_page_numbers_within_range_give_an_empty_page(team, apis):
    inbound_from(team, "+447700900001", "hi")
    body = apis["admin"].get("/interactions", query_string={"page": "1000"}).get_json()
    assert body["data"] == [] and body["meta"]["total"] == 1


def test_messages_come_in_pages_from_the_latest(team, apis):
    iid = None
    for n in range(7):
        iid = inbound_from(team, "+447700900123", f"m{n}")
    latest = apis["admin"].get(f"/interactions/{iid}", query_string={"limit": 3}).get_json()
    assert [m["text"] for m in latest["messages"]] == ["m4", "m5", "m6"] and latest["paging"]["has_older"]
    older = apis["admin"].get(f"/interactions/{iid}", query_string={"limit": 3, "before": latest["paging"]["first_position"]})
    assert [m["text"] for m in older.get_json()["messages"]] == ["m1", "m2", "m3"]


def test_events_endpoint_replays_after_a_sequence(team, apis):
    iid = inbound_from(team, "+447700900123", "one")
    inbound_from(team, "+447700900123", "two")
    answer = apis["admin"].get(f"/interactions/{iid}/events", query_string={"after_seq": 1}).get_json()
    assert [(e["seq"], e["event"], e["message"]["text"]) for e in answer["events"]] == [(2, "message", "two")]
    assert answer["complete"] is True and answer["seq"] == 2
    queues.get_redis().delete(live.log_key(ObjectId(iid)))  # the log expired, or Redis lost it
    answer = apis["admin"].get(f"/interactions/{iid}/events", query_string={"after_seq": 1}).get_json()
    assert answer == {"events": [], "complete": False, "seq": 2}, "the client must reload, not apply nothing"


def test_new_outbound_interaction_creates_the_contact_and_opens_assigned(team, apis):
    template = make_template(team["account"])
    body = {
        "account_id": str(team["account"]["_id"]),
        "phone": "+39 333 123 4567",
        "template_id": str(template["_id"]),
        "params": {"body": ["Luca", "B-7"]},
    }
    response = apis["alice"].post("/interactions", json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["interaction"]["status"] == "open" and created["interaction"]["agent_name"] == "Alice"
    assert created["message"]["template"]["rendered"]["body"] == "Hi Luca, your order B-7 is ready."
    assert get_db().contacts.find_one({"phone": "+393331234567"})["mobile"] == "+393331234567"
    again = apis["alice"].post("/interactions", json=body)
    assert again.status_code == 409


def test_new_outbound_is_refused_up_front_where_the_provider_cannot_start_conversations(team, apis):
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"provider": "twilio"}})
    response = apis["alice"].post(
        "/interactions", json={"account_id": str(team["account"]["_id"]), "phone": "+393331234567", "text": "hi"}
    )
    assert response.status_code == 422 and "cannot start conversations" in response.get_json()["error"]["message"]
    assert get_db().interactions.count_documents({}) == 0


def test_add_contact_from_a_shared_card(team, apis):
    card = [{"name": {"formatted_name": "Luca Bianchi"}, "phones": [{"phone": "+39 333 765 4321"}]}]
    inbound.ingest(team["account"], customer_says(team["account"], "+447700900123", None, kind="contacts", contacts=card))
    doc = get_db().interactions.find_one({})
    message_id = stored_messages(doc["_id"])[0]["id"]
    response = apis["admin"].post(f"/interactions/{doc['_id']}/messages/{message_id}/add-contact")
    assert response.status_code == 201
    assert response.get_json()["contact"]["first_name"] == "Luca"
    assert apis["admin"].post(f"/interactions/{doc['_id']}/messages/{message_id}/add-contact").status_code == 409


def test_the_agent_reads_the_recontact_template_before_sending_it_with_parameters(team, apis):
    iid = inbound_from(team, "+447700900888", "Hello", name="Rita")
    routing.accept(team["alice"], iid)
    assert apis["alice"].get(f"/interactions/{iid}/recontact").status_code == 422  # none configured yet
    template = make_template(
        team["account"], name="case_news", body="Hello {{1}}, news on {{2}}.", recontact=True, available_for_agents=False
    )
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.recontact_template_id": template["_id"]}})

    read = apis["alice"].get(f"/interactions/{iid}/recontact")
    assert read.status_code == 200
    body = next(c for c in read.get_json()["template"]["components"] if c["type"] == "BODY")
    assert body["text"] == "Hello {{1}}, news on {{2}}."
    assert apis["alice"].get(f"/templates/{template['_id']}").status_code == 404  # not otherwise readable by agents
    assert apis["carol"].get(f"/interactions/{iid}/recontact").status_code in (403, 404)  # another queue's agent
    assert apis["bob"].get(f"/interactions/{iid}/recontact").status_code == 403  # not his conversation

    refused = apis["alice"].post(f"/interactions/{iid}/recontact", json={"params": {"body": ["Rita"]}})
    assert refused.status_code == 422 and "params.body" in refused.get_json()["error"]["fields"]
    sent = apis["alice"].post(f"/interactions/{iid}/recontact", json={"params": {"body": ["Rita", "C-77"]}})
    assert sent.status_code == 201
    assert sent.get_json()["message"]["template"]["rendered"]["body"] == "Hello Rita, news on C-77."


def test_an_events_position_past_what_mongodb_compares_is_a_400_not_a_500(team, apis):
    iid = inbound_from(team, "+447700900199", "Hello")
    answer = apis["admin"].get(f"/interactions/{iid}/events?after_seq={2**64}")
    assert answer.status_code == 400 and "after_seq" in answer.get_json()["error"]["fields"]
