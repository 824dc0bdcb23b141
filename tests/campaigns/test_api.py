"""Campaigns over the REST API: admins create and steer them and read their recipients; agents are refused."""

import csv
import io

from app.db import get_db
from app.services.campaigns import recipients, sender
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.campaigns.test_sending import SEND_PATH, contacts, ok, setup  # noqa: F401 - the fixture
from tests.support.builders import make_user


def an_admin_with_two_contacts(client, setup, fake_provider, first, second):  # noqa: F811
    """(the admin's API, a campaign body) with a contact that can be sent and one missing its first name."""
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": first}, {"first_name": "", "mobile": second})
    admin = Api(client, api_tokens.create_token(setup["admin"]["_id"], "tests")[0])
    body = {"name": "Pick-up", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "list_ids": [str(setup["lists"][0])], "params": {"body": [{"field": "first_name"}, {"value": "A-1"}]}}
    return admin, body


def test_an_admin_creates_watches_pauses_and_cancels_a_campaign(client, setup, fake_provider):  # noqa: F811
    admin, body = an_admin_with_two_contacts(client, setup, fake_provider, "+447700900601", "+447700900602")
    created = admin.post("/campaigns", json=body)
    assert created.status_code == 201, created.get_json()
    campaign = created.get_json()
    assert campaign["state"] == "preparing", "its job expands the recipients"
    assert admin.post(f"/campaigns/{campaign['id']}/pause").status_code == 409
    recipients.prepare(get_db().campaigns.find_one({}))  # the job's first step
    campaign = admin.get(f"/campaigns/{campaign['id']}").get_json()
    assert campaign["state"] == "sending" and campaign["progress"]["pending"] == 1 and campaign["progress"]["skipped"] == 1
    assert campaign["expanded"] == {"pending": 1, "skipped": 1}

    assert admin.post(f"/campaigns/{campaign['id']}/pause").get_json()["state"] == "paused"
    again = admin.post(f"/campaigns/{campaign['id']}/pause")
    assert again.status_code == 409 and "Only a campaign that is sending" in again.get_json()["error"]["message"]
    assert admin.post(f"/campaigns/{campaign['id']}/resume").get_json()["state"] == "sending"
    assert sender.run(get_db().campaigns.find_one({})["_id"]) == "done"
    shown = admin.get(f"/campaigns/{campaign['id']}").get_json()
    assert shown["state"] == "done" and shown["progress"]["sent"] == 1
    skipped = admin.get(f"/campaigns/{campaign['id']}/recipients", query_string={"state": "skipped"}).get_json()
    why = "No first name for this contact: the template needs it."
    assert [(r["phone"], r["reason"]) for r in skipped["data"]] == [("+447700900602", why)]
    assert admin.get(f"/campaigns/{campaign['id']}/recipients").get_json()["meta"]["total"] == 2
    assert [c["name"] for c in admin.get("/campaigns").get_json()["data"]] == ["Pick-up"]
    ended = admin.post(f"/campaigns/{campaign['id']}/cancel")
    assert ended.status_code == 409 and ended.get_json()["error"]["message"] == "This campaign has ended already."

    refused = admin.post("/campaigns", json={**body, "rate": 0, "list_ids": []})
    assert refused.status_code == 422 and {"rate", "list_ids"} <= set(refused.get_json()["error"]["fields"])
    assert admin.get("/campaigns/0123456789abcdef01234567").status_code == 404


def test_agents_cannot_reach_campaigns(client, setup):  # noqa: F811
    agent = Api(client, api_tokens.create_token(make_user("agent")["_id"], "tests")[0])
    assert agent.get("/campaigns").status_code == 403
    assert agent.post("/campaigns", json={}).status_code == 403
    assert agent.get("/campaigns/0123456789abcdef01234567/recipients").status_code == 403
    assert get_db().campaigns.count_documents({}) == 0


def test_the_results_export_as_csv(client, setup, fake_provider):  # noqa: F811
    admin, body = an_admin_with_two_contacts(client, setup, fake_provider, "+447700900611", "+447700900612")
    campaign = admin.post("/campaigns", json=body).get_json()
    sender.run(get_db().campaigns.find_one({})["_id"])
    exported = admin.get(f"/campaigns/{campaign['id']}/recipients.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(row["phone"], row["state"]) for row in rows] == [("+447700900611", "sent"), ("+447700900612", "skipped")]
    assert rows[1]["reason"] == "No first name for this contact: the template needs it." and rows[0]["provider_message_id"]
    assert admin.get("/campaigns/0123456789abcdef01234567/recipients.csv").status_code == 404
