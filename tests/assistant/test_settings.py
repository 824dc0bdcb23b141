"""The assistant's settings per account: API and admin page, the key encrypted and never shown, errors by their fields."""

import re

from app import crypto
from app.db import get_db
from app.services.channel.accounts import ASSISTANT_KEY
from tests.support.builders import csrf_token

KEY = "sk-live-0123456789abcdef"
META = {"phone_number_id": "1066", "waba_id": "2077", "access_token": "EAAG-token", "app_secret": "app-secret-123"}


def new_account(api, chatbot=None, phone="+15550002000"):
    body = {"name": "Sales line", "provider": "meta", "phone": phone, "credentials": META}
    if chatbot is not None:
        body["settings"] = {"chatbot": chatbot}
    return api.post("/accounts", body)


def bot(base_url="https://llm.example/v1", **extra):
    return {"enabled": True, "endpoint": base_url, "model": "gpt-4o-mini", "api_key": KEY, **extra}


def test_api_stores_the_key_encrypted_and_never_returns_it(api):
    response = new_account(api, bot(instructions="Be kind.", knowledge="We open at 9.", max_turns=3, max_tokens=2000,
                                    runs="no_agents_online", handoff_message="A colleague will answer."))
    assert response.status_code == 201, response.get_json()
    assert KEY not in response.get_data(as_text=True)
    chatbot = response.get_json()["settings"]["chatbot"]
    assert response.get_json()["assistant_key_set"] is True and "api_key" not in chatbot
    assert (chatbot["max_turns"], chatbot["max_tokens"], chatbot["handoff_message"]) == (3, 2000, "A colleague will answer.")
    assert chatbot["runs"] == "no_agents_online"
    stored = get_db().accounts.find_one({})
    assert KEY not in str(stored) and crypto.decrypt(stored[ASSISTANT_KEY]) == KEY
    assert KEY not in api.get(f"/accounts/{stored['_id']}").get_data(as_text=True)
    assert KEY not in api.get("/accounts").get_data(as_text=True)


def test_a_change_without_a_key_keeps_the_stored_one_and_a_new_key_replaces_it(api):
    account_id = new_account(api, bot()).get_json()["id"]
    for change in ({"model": "other-model"}, {"api_key": ""}, {"enabled": False}):
        response = api.patch(f"/accounts/{account_id}", {"settings": {"chatbot": change}})
        assert response.status_code == 200, response.get_json()
    stored = get_db().accounts.find_one({})
    assert crypto.decrypt(stored[ASSISTANT_KEY]) == KEY
    assert stored["settings"]["chatbot"]["model"] == "other-model" and "api_key" not in stored["settings"]["chatbot"]
    api.patch(f"/accounts/{account_id}", {"settings": {"chatbot": {"api_key": "sk-new"}}})
    assert crypto.decrypt(get_db().accounts.find_one({})[ASSISTANT_KEY]) == "sk-new"


def test_bad_settings_are_400_with_each_field_named(api):
    response = new_account(api, {"enabled": True, "endpoint": "ftp://x", "runs": "sometimes", "max_turns": 0,
                                 "max_tokens": "many", "handoff_message": "x" * 1001})
    assert response.status_code in (400, 422)
    fields = response.get_json()["error"]["fields"]
    assert fields["settings.chatbot.endpoint"] == "Enter an http(s) URL."
    assert fields["settings.chatbot.model"] == "Required while the assistant is enabled."
    assert fields["settings.chatbot.runs"] == "Must be one of: always, no_agents_online, out_of_hours, never."
    assert fields["settings.chatbot.max_turns"] == "Must be at least 1."
    assert fields["settings.chatbot.max_tokens"] == "Must be a whole number."
    assert fields["settings.chatbot.handoff_message"] == "At most 1000 characters."
    assert get_db().accounts.count_documents({}) == 0


def test_enabling_later_needs_what_was_not_saved(api):
    account_id = new_account(api).get_json()["id"]
    response = api.patch(f"/accounts/{account_id}", {"settings": {"chatbot": {"enabled": True}}})
    assert response.status_code in (400, 422)
    assert set(response.get_json()["error"]["fields"]) == {"settings.chatbot.endpoint", "settings.chatbot.model"}


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


FORM = {"name": "Meta line", "phone": "+15550003000", "cred_phone_number_id": "1", "cred_waba_id": "2",
        "cred_access_token": "tok", "cred_app_secret": "sec", "max_attachment_mb": "5", "allowed_attachment_types": ["image"],
        "read_receipts": "on_view", "chatbot_enabled": "y", "chatbot_endpoint": "https://llm.example/v1",
        "chatbot_model": "gpt-4o-mini", "chatbot_api_key": KEY, "chatbot_instructions": "Be brief.",
        "chatbot_knowledge": "Open 9-17.", "chatbot_max_turns": "4", "chatbot_max_tokens": "3000", "chatbot_runs": "always",
        "chatbot_handoff_message": "One moment please."}


def test_admin_form_saves_every_setting_and_never_shows_the_key(admin_client):
    response = post(admin_client, "/admin/accounts/new/meta", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    doc = get_db().accounts.find_one({})
    assert crypto.decrypt(doc[ASSISTANT_KEY]) == KEY
    assert doc["settings"]["chatbot"] == {"enabled": True, "endpoint": "https://llm.example/v1", "model": "gpt-4o-mini",
                                          "instructions": "Be brief.", "knowledge": "Open 9-17.", "max_turns": 4,
                                          "max_tokens": 3000, "runs": "always", "handoff_message": "One moment please."}
    edit_path = f"/admin/accounts/{doc['_id']}/edit"
    for path in (f"/admin/accounts/{doc['_id']}", edit_path):
        html = admin_client.get(path).get_data(as_text=True)
        assert KEY not in html and doc[ASSISTANT_KEY] not in html
    form = admin_client.get(edit_path).get_data(as_text=True)
    assert "Stored. Leave empty to keep it." in form
    assert re.search(r'<option value="no_agents_online"[^>]*>Outside agents&#39; hours', form)
    saved = post(admin_client, edit_path, {**FORM, "chatbot_api_key": "", "chatbot_model": "bigger-model",
                                           "chatbot_runs": "no_agents_online"})
    assert saved.status_code == 302
    doc = get_db().accounts.find_one({})
    assert crypto.decrypt(doc[ASSISTANT_KEY]) == KEY and doc["settings"]["chatbot"]["model"] == "bigger-model"
    assert doc["settings"]["chatbot"]["runs"] == "no_agents_online"
    assert "outside agents&#39; hours" in admin_client.get(f"/admin/accounts/{doc['_id']}").get_data(as_text=True)


def test_admin_form_errors_sit_next_to_the_assistant_fields(admin_client):
    html = post(admin_client, "/admin/accounts/new/meta",
                {**FORM, "chatbot_max_turns": "0"}).get_data(as_text=True)
    assert re.search(r'data-field="chatbot_max_turns".*?class="field-error"[^>]*>Number must be between 1 and 50', html, re.S)
    html = post(admin_client, "/admin/accounts/new/meta", {**FORM, "chatbot_runs": "sometimes"}).get_data(as_text=True)
    assert re.search(r'data-field="chatbot_runs".*?class="field-error"[^>]*>'
                     r'Must be one of: always, no_agents_online, out_of_hours, never', html, re.S)
    html = post(admin_client, "/admin/accounts/new/meta", {**FORM, "chatbot_model": ""}).get_data(as_text=True)
    assert re.search(r'data-field="chatbot_model".*?class="field-error"[^>]*>Required while the assistant is enabled', html, re.S)
    assert KEY not in html
    assert get_db().accounts.count_documents({}) == 0
