"""API tokens may be read-only and may expire; the profile page creates and shows both."""

import re
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.support.builders import csrf_token


def test_a_read_only_token_reads_and_is_refused_anything_else(client, admin):
    token, _ = api_tokens.create_token(admin["_id"], "report", scope="read")
    api = Api(client, token)
    assert api.get("/queues").status_code == 200
    assert api.head("/queues").status_code == 200
    created = api.post("/queues", {"name": "Sneaky"})
    assert created.status_code == 403
    error = created.get_json()["error"]
    assert error["code"] == "forbidden" and "read-only" in error["message"]
    queue = Api(client, api_tokens.create_token(admin["_id"], "full")[0]).post("/queues", {"name": "Kept"}).get_json()
    assert api.patch(f"/queues/{queue['id']}", {"name": "Renamed"}).status_code == 403
    assert api.delete(f"/queues/{queue['id']}").status_code == 403
    assert [q["name"] for q in get_db().queues.find()] == ["Kept"]


def test_an_expired_token_gets_401_saying_when_it_expired(client, admin):
    tomorrow = clock.now().date() + timedelta(days=1)
    token, doc = api_tokens.create_token(admin["_id"], "temp", valid_until=tomorrow)
    api = Api(client, token)
    clock.advance(timedelta(days=1))
    assert api.get("/me").status_code == 200, "it works to the end of the chosen day"
    clock.advance(timedelta(days=1))
    response = api.get("/me")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    message = response.get_json()["error"]["message"]
    assert "expired" in message and (tomorrow + timedelta(days=1)).isoformat() in message
    assert api_tokens.status(get_db().api_tokens.find_one({"_id": doc["_id"]})) == "expired"


def test_an_expiry_must_be_after_today(admin):
    for day in (clock.now().date(), clock.now().date() - timedelta(days=3)):
        try:
            api_tokens.create_token(admin["_id"], "x", valid_until=day)
        except api_tokens.ValidationFailed as exc:
            assert "valid_until" in exc.fields
        else:
            raise AssertionError(f"a token valid until {day} was created")
    assert get_db().api_tokens.count_documents({}) == 0


def create_on_profile(client, **data):
    return client.post("/profile/tokens", data={"csrf_token": csrf_token(client, "/profile/"), **data})


def test_the_profile_page_creates_a_read_only_expiring_token_and_shows_both(agent_client, client):
    day = (clock.now().date() + timedelta(days=30)).isoformat()
    html = create_on_profile(agent_client, name="dashboard", scope="read", valid_until=day).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)
    assert re.search(r'data-testid="token-scope">Read only<', html)
    assert re.search(rf'data-testid="token-expiry">{day}<', html)
    assert re.search(r'data-testid="token-status">active<', html)
    assert Api(client, token).get("/me").status_code == 200
    assert Api(client, token).post("/interactions", {}).status_code == 403
    html = create_on_profile(agent_client, name="script").get_data(as_text=True)
    assert re.search(r'data-testid="token-scope">Full access<', html) and "until revoked" in html


def test_the_token_form_shows_errors_next_to_its_fields(agent_client):
    cases = [
        ({"name": "x", "valid_until": "31/12/2030"}, "valid_until", "Not a valid date value."),
        ({"name": "x", "valid_until": clock.now().date().isoformat()}, "valid_until", "Pick a day after today"),
        ({"name": "x", "scope": "admin"}, "scope", "Not a valid choice"),
        ({"name": ""}, "name", "Name the token"),
    ]
    for data, field, message in cases:
        html = create_on_profile(agent_client, **data).get_data(as_text=True)
        assert re.search(rf'data-field="{field}".*?class="field-error"[^>]*>{re.escape(message)}', html, re.S), field
    assert get_db().api_tokens.count_documents({}) == 0
    assert agent_client.post("/profile/tokens", data={"name": "no csrf"}).status_code == 400


def test_create_token_command_takes_scope_and_expiry(runner, admin, client):
    day = (clock.now().date() + timedelta(days=7)).isoformat()
    result = runner.invoke(args=["create-token", "--email", admin["email"], "--read-only", "--valid-until", day])
    assert result.exit_code == 0, result.output
    doc = get_db().api_tokens.find_one()
    assert doc["scope"] == "read" and api_tokens.valid_until(doc).isoformat() == day
    assert Api(client, result.output.strip()).post("/queues", {"name": "No"}).status_code == 403
