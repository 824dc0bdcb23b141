"""Secrets never leave Parley, tokens are checked, and agents only read what they need."""

import json

from app.db import get_db
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.api.test_collections import META_CREDENTIALS, SECRETS, account, make


def test_no_response_ever_contains_a_stored_secret(api):
    created = account(api)
    bodies = [json.dumps(created)]
    bodies.append(api.get("/accounts").get_data(as_text=True))
    bodies.append(api.get(f"/accounts/{created['id']}").get_data(as_text=True))
    bodies.append(api.patch(f"/accounts/{created['id']}", {"name": "Renamed"}).get_data(as_text=True))
    bodies.append(api.post("/accounts", {"name": "Dup", "provider": "meta", "phone": "+15550002000",
                                         "credentials": META_CREDENTIALS}).get_data(as_text=True))
    bodies.append(api.post("/accounts", {"name": "", "provider": "meta", "phone": "1",
                                         "credentials": META_CREDENTIALS}).get_data(as_text=True))
    verify_token = get_db().accounts.find_one()["secrets"]["verify_token"]
    for body in bodies:
        for secret in SECRETS.values():
            assert secret not in body
        assert verify_token not in body
    assert created["secrets_set"] == ["access_token", "app_secret", "verify_token"]
    assert created["webhook_url"] == f"http://localhost/webhooks/whatsapp/{created['webhook_key']}"
    assert "secrets" not in created


def test_raw_stored_account_has_no_secret_in_clear_text(api):
    created = account(api)
    api.patch(f"/accounts/{created['id']}", {"credentials": {"access_token": "EAAG-rotated-token"}})
    raw = json.dumps(get_db().accounts.find_one(), default=str)
    for secret in (*SECRETS.values(), "EAAG-rotated-token"):
        assert secret not in raw
    assert "1066" in raw  # non-secret credentials stay readable


def test_empty_secret_on_update_keeps_the_stored_one(api):
    from app.services.channel.provider_access import provider_config

    created = account(api)
    api.patch(f"/accounts/{created['id']}", {"credentials": {"access_token": "", "waba_id": "3088"}})
    config = provider_config(get_db().accounts.find_one())
    assert config["credentials"]["access_token"] == SECRETS["access_token"]
    assert config["credentials"]["waba_id"] == "3088"


def test_agent_token_is_refused_on_admin_collections(agent_api):
    for path in ("/accounts", "/queues", "/users"):
        response = agent_api.get(path)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert agent_api.post("/templates", {"name": "x"}).status_code == 403
    assert agent_api.get("/contacts").status_code == 200


def test_agents_read_only_what_they_need(api, agent_api, agent):
    acc = account(api)
    body = [{"type": "BODY", "text": "Hi"}]
    shared = make(api, "/templates", {"account_id": acc["id"], "name": "shared", "language": "en", "components": body,
                                      "available_for_agents": True})
    hidden = make(api, "/templates", {"account_id": acc["id"], "name": "hidden", "language": "en", "components": body})
    assert [t["id"] for t in agent_api.get("/templates").get_json()["data"]] == [shared["id"]]
    assert agent_api.get(f"/templates/{hidden['id']}").status_code == 404

    mine = make(api, "/queues", {"name": "Mine", "agent_ids": [str(agent["_id"])]})
    other = make(api, "/queues", {"name": "Other"})
    offered = make(api, "/canned-answers", {"title": "Offered", "text": "Hi", "queue_ids": [mine["id"]]})
    make(api, "/canned-answers", {"title": "Elsewhere", "text": "Hi", "queue_ids": [other["id"]]})
    assert [a["id"] for a in agent_api.get("/canned-answers").get_json()["data"]] == [offered["id"]]

    lst = make(api, "/contact-lists", {"name": "All"})
    api.patch(f"/accounts/{acc['id']}", {"queue_id": mine["id"], "contact_list_id": lst["id"]})
    contact = agent_api.post("/contacts", {"list_id": lst["id"], "phone": "+15550009999"})
    assert contact.status_code == 201
    assert agent_api.delete(f"/contacts/{contact.get_json()['id']}").status_code == 403


def test_missing_wrong_and_revoked_tokens_get_401(client, admin):
    token, doc = api_tokens.create_token(admin["_id"], "laptop")
    assert client.get("/api/v1/queues").status_code == 401
    assert client.get("/api/v1/queues", headers={"Authorization": "Bearer prly_nope"}).status_code == 401
    assert client.get("/api/v1/queues", headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert Api(client, token).get("/queues").status_code == 200
    assert get_db().api_tokens.find_one({"_id": doc["_id"]})["last_used_at"] is not None
    assert token not in json.dumps(get_db().api_tokens.find_one(), default=str)
    api_tokens.revoke(admin["_id"], doc["_id"])
    response = Api(client, token).get("/queues")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_deactivated_user_token_stops_working(api, client, make_user):
    user = make_user("agent")
    token = api_tokens.create_token(user["_id"], "t")[0]
    assert Api(client, token).get("/me").status_code == 200
    assert api.patch(f"/users/{user['_id']}", {"active": False}).status_code == 200
    assert Api(client, token).get("/me").status_code == 401


def test_openapi_document_lists_every_route(api, app):
    document = api.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert len(rules) >= 19
    for rule in rules:
        path = rule.rule.replace("<", "{").replace(">", "}")
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (path, method)
