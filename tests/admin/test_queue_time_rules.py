"""A queue's inactivity and first-response settings: off by default, set in the form's Inactivity section
or over the REST API, bad values refused next to their field, a change to one keeping the others."""

import re

from app.services.people import api_tokens
from app.services.setup import queue_admin
from tests.api.conftest import Api
from tests.support.builders import csrf_token

NUDGE = "Are you still there?"


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def stored(name="Support"):
    return queue_admin.with_defaults(queue_admin.find_by_name(name))


def test_the_rules_are_off_by_default(admin_client):
    assert post(admin_client, "/admin/queues/new", {"name": "Support"}).status_code == 302
    queue = stored()
    assert queue["inactivity"] == {"customer_idle_minutes": None, "nudge_text": "", "close_after_nudge_minutes": 15}
    assert queue["routing"]["first_response_minutes"] is None


def test_the_inactivity_section_saves_and_shows_again(admin_client):
    page = admin_client.get("/admin/queues/new").get_data(as_text=True)
    section = re.search(r'<fieldset[^>]*data-testid="inactivity-settings".*?</fieldset>', page, re.S).group(0)
    assert "<legend>Inactivity</legend>" in section and "Off by default" in section
    for name in ("inactivity_customer_idle_minutes", "inactivity_nudge_text", "inactivity_close_after_nudge_minutes"):
        assert f'name="{name}"' in section
    routing = re.search(r'<fieldset[^>]*data-testid="routing-settings".*?</fieldset>', page, re.S).group(0)
    assert 'name="routing_first_response_minutes"' in routing
    data = {
        "name": "Support",
        "inactivity_customer_idle_minutes": "20",
        "inactivity_nudge_text": NUDGE,
        "inactivity_close_after_nudge_minutes": "10",
        "routing_first_response_minutes": "3",
    }
    assert post(admin_client, "/admin/queues/new", data).status_code == 302
    queue = stored()
    assert queue["inactivity"] == {"customer_idle_minutes": 20, "nudge_text": NUDGE, "close_after_nudge_minutes": 10}
    assert queue["routing"]["first_response_minutes"] == 3
    edit = admin_client.get(f"/admin/queues/{queue['_id']}/edit").get_data(as_text=True)
    assert re.search(r'name="inactivity_customer_idle_minutes"[^>]*value="20"', edit)
    assert NUDGE in edit and re.search(r'name="routing_first_response_minutes"[^>]*value="3"', edit)

    cleared = {**data, "inactivity_customer_idle_minutes": "", "routing_first_response_minutes": ""}
    assert post(admin_client, f"/admin/queues/{queue['_id']}/edit", cleared).status_code == 302
    assert stored()["inactivity"]["customer_idle_minutes"] is None and stored()["routing"]["first_response_minutes"] is None


def test_bad_minutes_are_refused_next_to_their_field(admin_client):
    data = {"name": "Support", "inactivity_customer_idle_minutes": "0", "routing_first_response_minutes": "soon"}
    answer = post(admin_client, "/admin/queues/new", data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and queue_admin.find_by_name("Support") is None
    assert re.search(
        r'data-field="inactivity_customer_idle_minutes".*?class="field-error"[^>]*>From 1 to 1440 minutes', html, re.S
    )
    assert re.search(r'data-field="routing_first_response_minutes".*?class="field-error"[^>]*>Not a valid integer', html, re.S)


def test_the_api_carries_the_settings_and_a_change_keeps_the_others(client, admin):
    api = Api(client, api_tokens.create_token(admin["_id"], "tests")[0])
    created = api.post("/queues", {"name": "Support", "inactivity": {"customer_idle_minutes": 30, "nudge_text": NUDGE}})
    assert created.status_code == 201, created.get_json()
    queue_id = created.get_json()["id"]
    changed = api.patch(f"/queues/{queue_id}", {"inactivity": {"close_after_nudge_minutes": 5}})
    assert changed.get_json()["inactivity"] == {"customer_idle_minutes": 30, "nudge_text": NUDGE, "close_after_nudge_minutes": 5}
    assert api.get(f"/queues/{queue_id}").get_json()["inactivity"]["customer_idle_minutes"] == 30
    assert api.get(f"/queues/{queue_id}").get_json()["routing"]["first_response_minutes"] is None

    refused = api.patch(
        f"/queues/{queue_id}", {"inactivity": {"customer_idle_minutes": "30"}, "routing": {"first_response_minutes": 0}}
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {
        "inactivity.customer_idle_minutes": "Must be a whole number.",
        "routing.first_response_minutes": "Must be at least 1.",
    }
