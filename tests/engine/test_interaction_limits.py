"""One definition per interaction input: the limits the OpenAPI document publishes for the message,
new-conversation and close bodies and for the list's and message page's queries are the ones the
services enforce. One over is refused naming the field; one at the limit is not refused for it.
Changing the limit on one side only (the document or the service) fails here."""

from bson import ObjectId

from app.db import get_db
from tests.engine.test_api import apis, inbound_from  # noqa: F401 - the fixture is used by name

LIST = "/interactions"
ONE = "/interactions/{interaction_id}"


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_field(document, path, name):
    """The published schema of one field of a route's JSON body (its null alternative left out)."""
    body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = resolve(document, body)["properties"][name]
    options = [resolve(document, s) for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return options[0]


def query_field(document, path, name):
    return next(p["schema"] for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)


def accepted(team, apis, phone):  # noqa: F811 - the fixture
    iid = inbound_from(team, phone, "hi")
    assert apis["alice"].post(f"/interactions/{iid}/accept").status_code == 200
    return iid


def test_message_text_and_location_limits_are_the_documented_ones(team, apis):  # noqa: F811
    document = apis["admin"].get("/openapi.json").get_json()
    iid = accepted(team, apis, "+447700900201")
    send = f"/interactions/{iid}/messages"
    most = body_field(document, "/api/v1/interactions/{interaction_id}/messages", "text")["maxLength"]
    over = apis["alice"].post(send, json={"text": "a" * (most + 1)})
    assert over.status_code == 422 and over.get_json()["error"]["fields"]["text"] == f"At most {most} characters."
    assert apis["alice"].post(send, json={"text": "a" * most}).status_code == 201
    note = apis["alice"].post(send, json={"text": "a" * (most + 1), "internal": True})
    assert note.status_code == 422 and "text" in note.get_json()["error"]["fields"]

    location = resolve(document, body_field(document, "/api/v1/interactions/{interaction_id}/messages", "location"))
    name_most = next(s for s in location["properties"]["name"]["anyOf"] if s.get("type") == "string")["maxLength"]
    latitude = location["properties"]["latitude"]["maximum"]
    place = {"latitude": latitude, "longitude": 0}
    over = apis["alice"].post(send, json={"kind": "location", "location": {**place, "name": "a" * (name_most + 1)}})
    assert over.status_code == 422 and "location.name" in over.get_json()["error"]["fields"]
    beyond = apis["alice"].post(send, json={"kind": "location", "location": {**place, "latitude": latitude + 0.5}})
    assert beyond.status_code == 422 and "location.latitude" in beyond.get_json()["error"]["fields"]
    at = apis["alice"].post(send, json={"kind": "location", "location": {**place, "name": "a" * name_most}})
    assert at.status_code == 201, at.get_json()


def test_close_labels_limits_are_the_documented_ones(team, apis):  # noqa: F811
    document = apis["admin"].get("/openapi.json").get_json()
    iid = accepted(team, apis, "+447700900202")
    tags = body_field(document, "/api/v1/interactions/{interaction_id}/close", "tags")
    most, longest = tags["maxItems"], tags["items"]["maxLength"]
    get_db().tags.insert_many([{"name": f"t{n}"} for n in range(most + 1)] + [{"name": "a" * longest}])
    close = f"/interactions/{iid}/close"
    many = apis["alice"].post(close, json={"tags": [f"t{n}" for n in range(most + 1)]})
    assert many.status_code == 422 and "tags" in many.get_json()["error"]["fields"]
    long = apis["alice"].post(close, json={"tags": ["a" * (longest + 1)]})
    assert long.status_code == 422 and long.get_json()["error"]["fields"]["tags.0"] == f"At most {longest} characters."
    assert get_db().interactions.find_one({"_id": ObjectId(iid)})["is_open"]  # nothing closed on a refusal
    closed = apis["alice"].post(close, json={"tags": [f"t{n}" for n in range(most - 1)] + ["a" * longest]})
    assert closed.status_code == 200, closed.get_json()


def test_new_conversation_name_limit_is_the_documented_one(team, apis):  # noqa: F811
    document = apis["admin"].get("/openapi.json").get_json()
    name = body_field(document, "/api/v1/interactions", "name")["maxLength"]
    body = {"account_id": str(team["account"]["_id"]), "phone": "+39 333 123 4567", "text": "hello"}
    over = apis["alice"].post("/interactions", json={**body, "name": "a" * (name + 1)})
    assert over.status_code == 422 and over.get_json()["error"]["fields"]["name"] == f"At most {name} characters."
    assert get_db().interactions.count_documents({}) == 0
    started = apis["alice"].post("/interactions", json={**body, "name": "a" * name})
    assert "name" not in (started.get_json().get("error") or {}).get("fields", {}), started.get_json()


def test_list_and_message_page_limits_are_the_documented_ones(team, apis):  # noqa: F811
    document = apis["admin"].get("/openapi.json").get_json()
    iid = inbound_from(team, "+447700900203", "hi")
    checks = [(LIST, name) for name in ("per_page", "page", "window_closing_within")]
    checks += [(ONE.format(interaction_id=iid), "limit")]
    for path, name in checks:
        schema = query_field(document, "/api/v1" + (LIST if path == LIST else ONE), name)
        low, high = schema["minimum"], schema["maximum"]
        for bad in (low - 1, high + 1):
            refused = apis["admin"].get(path, query_string={name: bad})
            assert refused.status_code == 400, (name, bad)
            assert refused.get_json()["error"]["fields"][name] == f"Between {low} and {high}.", (name, bad)
        for good in (low, high):
            assert apis["admin"].get(path, query_string={name: good}).status_code == 200, (name, good)
    low = query_field(document, "/api/v1" + ONE + "/events", "after_seq")["minimum"]
    events = f"/interactions/{iid}/events"
    assert apis["admin"].get(events, query_string={"after_seq": low}).status_code == 200
    refused = apis["admin"].get(events, query_string={"after_seq": low - 1})
    assert refused.status_code == 400 and "after_seq" in refused.get_json()["error"]["fields"]
    longest = query_field(document, "/api/v1" + LIST, "tags")["items"]["maxLength"]
    assert apis["admin"].get(LIST, query_string={"tags": "a" * longest}).status_code == 200
    assert "tags" in apis["admin"].get(LIST, query_string={"tags": "a" * (longest + 1)}).get_json()["error"]["fields"]
