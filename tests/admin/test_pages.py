"""The configuration pages: every page renders, forms save through the services, errors sit by their fields."""

import re
from io import BytesIO

import pytest

from app.db import get_db
from app.services.channel import accounts, provider_access
from app.services.contacts import contact_lists
from app.services.setup import queue_admin
from tests.support.builders import csrf_token

INDEXES = ["/admin/accounts/", "/admin/accounts/new", "/admin/accounts/new/meta", "/admin/queues/", "/admin/queues/new",
           "/admin/agents/", "/admin/agents/new", "/admin/templates/", "/admin/templates/new", "/admin/canned-answers/",
           "/admin/canned-answers/new", "/admin/dispositions/", "/admin/dispositions/new", "/admin/tags/", "/admin/tags/new",
           "/contacts/", "/contacts/new", "/admin/contact-lists/", "/admin/contact-lists/new", "/profile/", "/api-docs/"]


@pytest.mark.parametrize("path", INDEXES)
def test_every_page_renders_for_admins(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize("path", [p for p in INDEXES if p.startswith("/admin/")])
def test_admin_pages_are_refused_to_agents(agent_client, path):
    assert agent_client.get(path).status_code == 403


def test_agents_reach_contacts_profile_and_api_docs(agent_client):
    for path in ("/contacts/", "/contacts/new", "/profile/", "/api-docs/"):
        assert agent_client.get(path).status_code == 200, path


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_queue_form_saves_and_shows_errors(admin_client, make_user):
    agent = make_user("agent")
    response = post(admin_client, "/admin/queues/new", {"name": "Support", "agent_ids": [str(agent["_id"])]})
    assert response.status_code == 302
    assert queue_admin.list_queues().items[0]["agent_ids"] == [agent["_id"]]
    duplicate = post(admin_client, "/admin/queues/new", {"name": "Support"})
    assert duplicate.status_code == 200
    assert re.search(r'data-field="name".*?Already in use', duplicate.get_data(as_text=True), re.S)


def test_account_form_errors_sit_next_to_their_fields(admin_client):
    data = {"name": "Meta line", "phone": "12", "cred_phone_number_id": "1", "cred_waba_id": "2",
            "cred_access_token": "tok", "cred_app_secret": "sec", "max_attachment_mb": "200",
            "allowed_attachment_types": ["image", "document"], "read_receipts": "on_view"}
    html = post(admin_client, "/admin/accounts/new/meta", data).get_data(as_text=True)
    assert re.search(r'data-field="phone".*?class="field-error"[^>]*>Enter a number in international format', html, re.S)
    assert re.search(r'data-field="max_attachment_mb".*?accepts at most 100 MB', html, re.S)
    assert "tok" not in html.replace("token", "")
    assert get_db().accounts.count_documents({}) == 0


def test_account_edit_keeps_secrets_left_empty(admin_client):
    doc = accounts.create({"name": "Meta", "provider": "meta", "phone": "+15550005000",
                           "credentials": {"phone_number_id": "1", "waba_id": "2", "access_token": "tok-1234567",
                                           "app_secret": "sec-7654321"}})
    page = admin_client.get(f"/admin/accounts/{doc['_id']}").get_data(as_text=True)
    assert f"/webhooks/whatsapp/{doc['webhook_key']}" in page
    assert "tok-1234567" not in page and "sec-7654321" not in page
    edit = admin_client.get(f"/admin/accounts/{doc['_id']}/edit").get_data(as_text=True)
    assert "tok-1234567" not in edit and "sec-7654321" not in edit
    data = {"name": "Meta renamed", "phone": "+15550005000", "cred_phone_number_id": "1", "cred_waba_id": "2",
            "max_attachment_mb": "15", "allowed_attachment_types": ["image", "document"], "read_receipts": "never"}
    response = post(admin_client, f"/admin/accounts/{doc['_id']}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    config = provider_access.provider_config(accounts.get_account(doc["_id"]))
    assert config["credentials"]["access_token"] == "tok-1234567"
    assert accounts.get_account(doc["_id"])["settings"]["max_attachment_bytes"] == 15 * 1024 * 1024


def test_agent_deactivation_signs_them_out(admin_client, agent_client, agent):
    assert agent_client.get("/contacts/").status_code == 200
    data = {"name": agent["name"], "email": agent["email"], "role": "agent", "password": ""}
    assert post(admin_client, f"/admin/agents/{agent['_id']}/edit", data).status_code == 302
    assert agent_client.get("/contacts/").status_code == 302  # back to sign-in


def test_delete_needs_confirmation(admin_client):
    tag = post(admin_client, "/admin/tags/new", {"name": "VIP", "colour": "#ff0000"})
    assert tag.status_code == 302
    tag_id = get_db().tags.find_one()["_id"]
    assert "Delete tag" in admin_client.get(f"/admin/tags/{tag_id}/delete").get_data(as_text=True)
    assert admin_client.post(f"/admin/tags/{tag_id}/delete").status_code == 400  # no CSRF token
    assert post(admin_client, f"/admin/tags/{tag_id}/delete", {}).status_code == 302
    assert get_db().tags.count_documents({}) == 0


def test_contacts_csv_upload_and_export(admin_client):
    lst = contact_lists.create_list({"name": "Leads"})
    path = f"/admin/contact-lists/{lst['_id']}/import"
    csv_bytes = b"first_name,phone\nAnn,+12025550143\nBob,nope\n"
    response = admin_client.post(path, data={"csrf_token": csrf_token(admin_client, path),
                                             "file": (BytesIO(csv_bytes), "leads.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "1 contact(s) imported, 1 row(s) rejected" in html
    exported = admin_client.get(f"/admin/contact-lists/{lst['_id']}/export.csv").get_data(as_text=True)
    assert "Ann" in exported and "+12025550143" in exported


def test_profile_creates_and_revokes_a_token(admin_client, client):
    html = post(admin_client, "/profile/tokens", {"name": "script"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', html).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token_id = get_db().api_tokens.find_one()["_id"]
    assert post(admin_client, f"/profile/tokens/{token_id}/revoke", {}).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_create_token_command(runner, admin):
    result = runner.invoke(args=["create-token", "--email", admin["email"]])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("prly_")
    assert runner.invoke(args=["create-token", "--email", "nobody@parley.example"]).exit_code != 0
