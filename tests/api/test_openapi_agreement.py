"""The API answers as /api/v1/openapi.json says: every route is documented and every documented
operation exists; each configuration resource, walked through create, list, read, change and
delete, answers with a documented status and a body that matches its schema (timestamps with their
time zone); paging outside the documented range is a 400; a method a path lacks is a 405 whose
Allow header names the documented methods."""

import re
from datetime import datetime

import pytest

from app.blueprints.api.resources import RESOURCES

METHODS = ("get", "post", "patch", "put", "delete")

# A valid body per resource, in an order where references exist; {name} is replaced by an id made earlier.
CREATE = {
    "accounts": {"name": "Shop", "provider": "sandbox", "phone": "+15550001234", "credentials": {}},
    "queues": {"name": "Support", "description": "First line"},
    "users": {"name": "Ann Agent", "email": "ann@parley.example", "password": "a-long-password-2026"},
    "templates": {
        "account_id": "{accounts}",
        "name": "hello",
        "language": "en",
        "components": [{"type": "BODY", "text": "Hello {{1}}"}],
    },
    "canned-answers": {"title": "Greeting", "text": "Hello!"},
    "dispositions": {"name": "Solved"},
    "tags": {"name": "vip", "colour": "#aa3300"},
    "contact-lists": {"name": "Customers"},
    "contacts": {"list_id": "{contact-lists}", "first_name": "Maria", "phone": "+393331234567", "tags": ["vip"]},
}
CHANGE = {
    "accounts": {"name": "Shop renamed"},
    "queues": {"description": "Second line"},
    "users": {"name": "Ann B. Agent"},
    "templates": {"available_for_agents": True},
    "canned-answers": {"text": "Hello again!"},
    "dispositions": {"description": "Nothing left to do"},
    "tags": {"description": "Important"},
    "contact-lists": {"description": "Everyone"},
    "contacts": {"company": "Rossi Srl"},
}


def resolve(document, schema):
    while "$ref" in schema:
        node = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def is_type(value, name):
    return {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "null": value is None,
    }[name]


def problems(document, value, schema, where="$", strict=True):
    """Where `value` breaks `schema` (the JSON Schema the document uses). `strict`: an object may
    carry only documented properties."""
    schema = resolve(document, schema)
    types = schema.get("type")
    if types and not any(is_type(value, t) for t in ([types] if isinstance(types, str) else types)):
        return [f"{where}: {value!r} is not {types}"]
    found = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, str) and schema.get("format") == "date-time":
        try:
            zoned = datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
        except ValueError:
            zoned = False
        if not zoned:
            found.append(f"{where}: {value!r} is not a date-time with a time zone")
    if isinstance(value, dict):
        properties = schema.get("properties")
        found += [f"{where}.{k}: required" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if properties is not None and key in properties:
                found += problems(document, item, properties[key], f"{where}.{key}", strict)
            elif properties is not None and strict:
                found.append(f"{where}.{key}: not in the document")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            found += problems(document, item, schema["items"], f"{where}[{n}]", strict)
    return found


@pytest.fixture
def document(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def answer_problems(document, operation, response, what):
    """The response's status must be documented for the operation, and its JSON body match the schema."""
    documented = operation["responses"]
    status = str(response.status_code)
    if status not in documented:
        return [f"{what}: status {status} is not documented ({sorted(documented)}): {response.get_data(as_text=True)[:200]}"]
    content = resolve(document, documented[status]).get("content", {}).get("application/json")
    if not content:
        return []
    return [f"{what}: {p}" for p in problems(document, response.get_json(), content["schema"])]


def test_every_route_is_documented_and_every_documented_operation_exists(app, document):
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: {m for m in item if m in METHODS} for path, item in document["paths"].items()}
    assert routes == documented


def test_configuration_resources_answer_as_documented(api, document):
    found, made = [], {}
    for name in CREATE:
        collection, item = document["paths"][f"/api/v1/{name}"], document["paths"][f"/api/v1/{name}/{{record_id}}"]
        body = {k: (made[v[1:-1]] if isinstance(v, str) and v[1:-1] in made else v) for k, v in CREATE[name].items()}
        created = api.post(f"/{name}", json=body)
        assert created.status_code == 201, (name, created.get_json())
        found += answer_problems(document, collection["post"], created, f"POST /{name}")
        made[name] = record_id = created.get_json()["id"]
        for query in ("", "?page=1&per_page=100", "?per_page=1&page=2"):
            found += answer_problems(document, collection["get"], api.get(f"/{name}{query}"), f"GET /{name}{query}")
        found += answer_problems(document, item["get"], api.get(f"/{name}/{record_id}"), f"GET /{name}/id")
        changed = api.patch(f"/{name}/{record_id}", json=CHANGE[name])
        assert changed.status_code == 200, (name, changed.get_json())
        found += answer_problems(document, item["patch"], changed, f"PATCH /{name}/id")
        for bad in ({"no_such_field": 1}, []):
            found += answer_problems(document, item["patch"], api.patch(f"/{name}/{record_id}", json=bad), f"PATCH /{name} {bad}")
        found += answer_problems(document, item["get"], api.get(f"/{name}/{'0' * 24}"), f"GET /{name}/missing")
    for name in reversed(CREATE):
        item = document["paths"][f"/api/v1/{name}/{{record_id}}"]
        deleted = api.delete(f"/{name}/{made[name]}")
        assert deleted.status_code == 204, (name, deleted.get_json())
        found += answer_problems(document, item["delete"], deleted, f"DELETE /{name}/id")
    assert found == [], "\n".join(found)


def test_a_contact_a_customer_created_answers_as_documented(client, api, document):
    from app.providers import sandbox
    from tests.support.engine import make_queue, make_sandbox_account
    from tests.webhooks.support import post_events

    account = make_sandbox_account(make_queue())
    assert post_events(client, account, sandbox.build_inbound("+447700900123", text="Hi", name="Maria Rossi")).status_code == 200
    listing = document["paths"]["/api/v1/contacts"]["get"]
    response = api.get("/contacts")
    assert response.get_json()["data"][0]["whatsapp_name"] == "Maria Rossi"
    assert answer_problems(document, listing, response, "GET /contacts") == []


@pytest.mark.parametrize("resource", [r.name for r in RESOURCES] + ["interactions"])
@pytest.mark.parametrize("argument", ["per_page", "page"])
def test_paging_outside_the_documented_range_is_a_400_naming_the_argument(api, document, resource, argument):
    [schema] = [p["schema"] for p in document["paths"][f"/api/v1/{resource}"]["get"]["parameters"] if p["name"] == argument]
    outside = [schema["minimum"] - 1, "ten"] + ([schema["maximum"] + 1] if "maximum" in schema else [])
    assert argument != "per_page" or schema["maximum"] == 100
    for value in outside:
        response = api.get(f"/{resource}?{argument}={value}")
        assert response.status_code == 400, (resource, argument, value)
        assert argument in response.get_json()["error"]["fields"]
    top = schema.get("maximum", 5)
    assert api.get(f"/{resource}?{argument}={top}").status_code == 200


def test_a_method_a_path_lacks_is_a_405_with_the_documented_methods_in_allow(api, document):
    for path, item in document["paths"].items():
        allowed = {m.upper() for m in item if m in METHODS}
        missing = next(m for m in ("put", "patch", "delete", "post") if m not in item)
        concrete = re.sub(r"\{[^}]+\}", "0" * 24, path).removeprefix("/api/v1")
        response = getattr(api, missing)(concrete, json={})
        assert response.status_code == 405, (missing, path, response.status_code)
        assert set(response.headers.get("Allow", "").replace(" ", "").split(",")) - {"HEAD", "OPTIONS"} == allowed, path
        assert response.get_json()["error"]["code"] == "method_not_allowed"
