"""Every collection: create, list with a filter, read, update, delete, 404, 409 and 422."""

import pytest

SECRETS = {"access_token": "EAAG-very-secret-token", "app_secret": "app-secret-value-123"}
META_CREDENTIALS = {"phone_number_id": "1066", "waba_id": "2077", **SECRETS}


def make(api, path, body):
    response = api.post(path, body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def account(api, phone="+15550002000", **extra):
    return make(api, "/accounts", {"name": "Sales line", "provider": "meta", "phone": phone,
                                   "credentials": META_CREDENTIALS, **extra})


def contact_list(api, name="Customers"):
    return make(api, "/contact-lists", {"name": name})


def body_component(text="Hello {{1}}"):
    return [{"type": "BODY", "text": text}]


# name: (setup(api) -> context, create body(ctx), filter query(ctx), update body, invalid body(ctx), field that errs)
CASES = {
    "accounts": (lambda api: {}, lambda c: {"name": "Sales line", "provider": "meta", "phone": "+44 20 7946 0958",
                                            "credentials": META_CREDENTIALS},
                 lambda c: "provider=meta", {"name": "Sales UK"},
                 lambda c: {"name": "X", "provider": "meta", "phone": "12", "credentials": META_CREDENTIALS}, "phone"),
    "queues": (lambda api: {}, lambda c: {"name": "Support", "description": "First line"},
               lambda c: "search=supp", {"description": "Second line"}, lambda c: {"name": ""}, "name"),
    "users": (lambda api: {}, lambda c: {"name": "Ann Agent", "email": "ann@parley.example", "password": "a-long-pass-99"},
              lambda c: "role=agent&search=ann", {"name": "Ann B. Agent"},
              lambda c: {"name": "Bob", "email": "not-an-email", "password": "a-long-pass-99"}, "email"),
    "templates": (lambda api: {"account": account(api)},
                  lambda c: {"account_id": c["account"]["id"], "name": "order_update", "language": "en_US",
                             "components": body_component()},
                  lambda c: f"account_id={c['account']['id']}", {"available_for_agents": True},
                  lambda c: {"account_id": c["account"]["id"], "name": "Bad Name", "language": "en_US",
                             "components": body_component()}, "name"),
    "canned-answers": (lambda api: {}, lambda c: {"title": "Greeting", "text": "Hi {contact.first_name}, I am {agent.name}."},
                       lambda c: "search=greet", {"text": "Hello!"},
                       lambda c: {"title": "Oops", "text": "Hi {contact.shoe_size}"}, "text"),
    "dispositions": (lambda api: {}, lambda c: {"name": "Resolved"}, lambda c: "search=res", {"description": "Done"},
                     lambda c: {"name": 42}, "name"),
    "tags": (lambda api: {}, lambda c: {"name": "VIP", "colour": "#ff0000"}, lambda c: "search=vi", {"colour": "#00ff00"},
             lambda c: {"name": "Gold", "colour": "red"}, "colour"),
    "contact-lists": (lambda api: {}, lambda c: {"name": "Leads"}, lambda c: "search=lea", {"description": "From ads"},
                      lambda c: {"name": ["not", "text"]}, "name"),
    "contacts": (lambda api: {"list": contact_list(api)},
                 lambda c: {"list_id": c["list"]["id"], "first_name": "Maria", "last_name": "Rossi",
                            "mobile": "+39 347 123 4567"},
                 lambda c: f"list_id={c['list']['id']}&search=ross", {"company": "Rossi SpA"},
                 lambda c: {"list_id": c["list"]["id"], "first_name": "No number"}, "phone"),
}


@pytest.mark.parametrize("collection", list(CASES))
def test_crud(api, collection):
    setup, create_body, filter_query, update_body, invalid_body, bad_field = CASES[collection]
    ctx = setup(api)
    created = make(api, f"/{collection}", create_body(ctx))
    item = f"/{collection}/{created['id']}"

    listed = api.get(f"/{collection}?{filter_query(ctx)}").get_json()
    assert [d["id"] for d in listed["data"]] == [created["id"]]
    assert listed["meta"]["total"] == 1

    assert api.get(item).get_json()["id"] == created["id"]

    updated = api.patch(item, update_body)
    assert updated.status_code == 200, updated.get_json()
    for key, value in update_body.items():
        assert updated.get_json()[key] == value

    conflict = api.post(f"/{collection}", create_body(ctx))
    assert conflict.status_code == 409, conflict.get_json()
    assert conflict.get_json()["error"]["code"] == "conflict"

    invalid = api.post(f"/{collection}", invalid_body(ctx))
    assert invalid.status_code == 422, invalid.get_json()
    assert bad_field in invalid.get_json()["error"]["fields"]

    assert api.delete(item).status_code == 204
    for response in (api.get(item), api.patch(item, update_body), api.delete(item)):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("collection", list(CASES))
def test_bad_input_never_500(api, collection):
    assert api.get(f"/{collection}/not-an-id").status_code == 404
    assert api.get(f"/{collection}/{'f' * 24}").status_code == 404
    assert api.get(f"/{collection}?page=zero").status_code == 400
    assert api.get(f"/{collection}?per_page=-1").status_code == 400
    no_json = api.client.post(f"/api/v1/{collection}", data="name=x", headers=api.headers,
                              content_type="application/x-www-form-urlencoded")
    assert no_json.status_code == 400
    assert api.client.post(f"/api/v1/{collection}", data="{broken", headers=api.headers,
                           content_type="application/json").status_code == 400
    assert api.post(f"/{collection}", [1, 2]).status_code == 400
    wrong_types = api.post(f"/{collection}", {"name": {"a": 1}, "title": 7, "list_id": [], "account_id": 5, "extra": 1})
    assert wrong_types.status_code == 422
    assert wrong_types.get_json()["error"]["fields"]["extra"] == "Unknown field."


def test_contact_phone_and_mobile_fill_each_other(api):
    lst = contact_list(api)
    only_phone = make(api, "/contacts", {"list_id": lst["id"], "phone": "+1 202 555 0143"})
    assert only_phone["phone"] == only_phone["mobile"] == "+12025550143"
    only_mobile = make(api, "/contacts", {"list_id": lst["id"], "mobile": "+44 7700 900123"})
    assert only_mobile["phone"] == only_mobile["mobile"] == "+447700900123"
    other_list = contact_list(api, "Other")
    assert api.post("/contacts", {"list_id": other_list["id"], "phone": "+12025550143"}).status_code == 201
    assert api.post("/contacts", {"list_id": lst["id"], "mobile": "+1 (202) 555-0143"}).status_code == 409
    found = api.get(f"/contacts?search=202 555&list_id={lst['id']}").get_json()["data"]
    assert [c["id"] for c in found] == [only_phone["id"]]


def test_queue_fed_by_an_account_cannot_be_deleted(api):
    queue = make(api, "/queues", {"name": "Busy"})
    account(api, queue_id=queue["id"])
    response = api.delete(f"/queues/{queue['id']}")
    assert response.status_code == 409


def test_attachment_limit_cannot_exceed_the_provider(api):
    response = api.post("/accounts", {"name": "Big", "provider": "twilio", "phone": "+15550003000",
                                      "credentials": {"account_sid": "AC1", "auth_token": "tok"},
                                      "settings": {"max_attachment_bytes": 50 * 1024 * 1024}})
    assert response.status_code == 422
    assert "settings.max_attachment_bytes" in response.get_json()["error"]["fields"]
    images_only = account(api, settings={"allowed_attachment_types": ["image"], "max_attachment_bytes": 5 * 1024 * 1024})
    too_big = api.patch(f"/accounts/{images_only['id']}", {"settings": {"max_attachment_bytes": 6 * 1024 * 1024}})
    assert too_big.status_code == 422
    documents = {"settings": {"allowed_attachment_types": ["document"], "max_attachment_bytes": 60 * 1024 * 1024}}
    assert api.patch(f"/accounts/{images_only['id']}", documents).status_code == 200


def test_template_components_are_checked(api):
    acc = account(api)
    base = {"account_id": acc["id"], "name": "promo", "language": "en"}
    gap = api.post("/templates", {**base, "components": body_component("Hi {{1}} and {{3}}")})
    assert "components.body" in gap.get_json()["error"]["fields"]
    buttons = [{"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Go", "url": "ftp://x"}]}, *body_component()]
    assert "components.buttons.0" in api.post("/templates", {**base, "components": buttons}).get_json()["error"]["fields"]
    full = [{"type": "HEADER", "format": "IMAGE", "example": {"header_handle": ["https://example.com/a.jpg"]}},
            *body_component(), {"type": "FOOTER", "text": "Parley"},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Yes"}, {"type": "QUICK_REPLY", "text": "No"},
                                            {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+1 202 555 0100"}]}]
    created = make(api, "/templates", {**base, "components": full})
    assert [c["type"] for c in created["components"]] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    assert created["components"][3]["buttons"][2]["phone_number"] == "+12025550100"
