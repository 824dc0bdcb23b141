"""The "Test" box (page and API): a sample through the saved settings to a real HTTP endpoint, the answer
or the endpoint's exact error; the key goes in the Authorization header only."""

import re

from tests.assistant.test_settings import new_account
from tests.fakes.chat_completions import completion, failure
from tests.support.builders import csrf_token


def configured(api, fake_chat, **extra):
    chatbot = {"enabled": True, "endpoint": fake_chat.base_url, "model": "fake-model", "api_key": fake_chat.key,
               "instructions": "You sell bikes.", "knowledge": "Shop open 9-17.", **extra}
    response = new_account(api, chatbot)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_api_test_answers_with_the_models_text(api, fake_chat):
    account_id = configured(api, fake_chat)
    fake_chat.then(completion("We open at 9.", tokens=42))
    response = api.post(f"/accounts/{account_id}/assistant-test", {"message": "When do you open?"})
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "answer": "We open at 9.", "handoff": None, "tokens": 42}
    sent = fake_chat.requests[-1]
    assert sent["model"] == "fake-model"
    assert sent["messages"][0]["role"] == "system" and "You sell bikes." in sent["messages"][0]["content"]
    assert "Shop open 9-17." in sent["messages"][0]["content"]
    assert sent["messages"][1:] == [{"role": "user", "content": "When do you open?"}]
    assert sent["tools"][0]["function"]["name"] == "handoff_to_agent"
    assert fake_chat.headers()[-1]["authorization"] == f"Bearer {fake_chat.key}"


def test_api_test_reports_a_handoff_call(api, fake_chat):
    account_id = configured(api, fake_chat)
    fake_chat.then(completion(tool_reason="customer wants a person"))
    answer = api.post(f"/accounts/{account_id}/assistant-test", {"message": "A human please"}).get_json()
    assert answer["ok"] is True and answer["handoff"] == "customer wants a person"


def test_api_test_gives_the_exact_error(api, fake_chat):
    account_id = configured(api, fake_chat)
    fake_chat.then(failure(500, "The engine is overloaded."))
    answer = api.post(f"/accounts/{account_id}/assistant-test", {"message": "Hi"}).get_json()
    assert answer == {"ok": False, "error": "The endpoint answered HTTP 500: The engine is overloaded."}
    api.patch(f"/accounts/{account_id}", {"settings": {"chatbot": {"api_key": "sk-wrong"}}})
    answer = api.post(f"/accounts/{account_id}/assistant-test", {"message": "Hi"}).get_json()
    assert answer == {"ok": False, "error": "The endpoint answered HTTP 401: Invalid OAuth access token."}


def test_api_test_of_an_endpoint_that_hangs_or_is_not_there(api, fake_chat):
    account_id = configured(api, fake_chat)
    release = fake_chat.hang()
    try:
        answer = api.post(f"/accounts/{account_id}/assistant-test", {"message": "Hi"}).get_json()
    finally:
        release.set()
    assert answer == {"ok": False, "error": f"The endpoint did not answer within 1 s ({fake_chat.base_url}/chat/completions)."}
    api.patch(f"/accounts/{account_id}", {"settings": {"chatbot": {"endpoint": "http://127.0.0.1:9/v1"}}})
    answer = api.post(f"/accounts/{account_id}/assistant-test", {"message": "Hi"}).get_json()
    assert answer["ok"] is False and answer["error"].startswith("Could not reach http://127.0.0.1:9/v1/chat/completions: ")
    assert "refused" in answer["error"].lower()


def test_api_test_refuses_bad_samples_by_field_and_agents(api, agent_api, fake_chat):
    account_id = configured(api, fake_chat)
    for body, says in (({}, "Required."), ({"message": "  "}, "Required."), ({"message": 5}, "Must be text."),
                       ({"message": "x" * 4097}, "At most 4096 characters."), ({"message": "hi", "extra": 1}, None)):
        response = api.post(f"/accounts/{account_id}/assistant-test", body)
        assert response.status_code in (400, 422), body
        fields = response.get_json()["error"]["fields"]
        assert fields.get("message") == says if says else fields == {"extra": "Unknown field."}
    assert api.post(f"/accounts/{account_id}/assistant-test", "not json").status_code == 400
    assert api.post("/accounts/0123456789abcdef01234567/assistant-test", {"message": "hi"}).status_code == 404
    assert agent_api.post(f"/accounts/{account_id}/assistant-test", {"message": "hi"}).status_code == 403
    unconfigured = new_account(api, phone="+15550009999").get_json()["id"]
    response = api.post(f"/accounts/{unconfigured}/assistant-test", {"message": "hi"})
    assert response.get_json()["error"]["fields"] == {"message": "Save the API base URL and the model first."}
    assert len(fake_chat.requests) == 0


def test_page_test_box_shows_the_answer_or_the_error_next_to_it(admin_client, api, fake_chat):
    account_id = configured(api, fake_chat)
    path = f"/admin/accounts/{account_id}"
    fake_chat.then(completion("Bikes from 300 EUR."), failure(429, "Rate limit reached for requests"))
    html = admin_client.post(f"{path}/assistant-test", data={"message": "Prices?", "csrf_token": csrf_token(admin_client, path)})
    assert html.status_code == 200
    assert re.search(r'data-testid="assistant-answer".*?Bikes from 300 EUR\.', html.get_data(as_text=True), re.S)
    html = admin_client.post(f"{path}/assistant-test", data={"message": "Prices?", "csrf_token": csrf_token(admin_client, path)})
    assert re.search(r'data-testid="assistant-error"[^>]*>The endpoint answered HTTP 429: Rate limit reached',
                     html.get_data(as_text=True))
    empty = admin_client.post(f"{path}/assistant-test", data={"message": "", "csrf_token": csrf_token(admin_client, path)})
    assert empty.status_code == 400
    says = r'data-field="message".*?class="field-error"[^>]*>Enter a sample message'
    assert re.search(says, empty.get_data(as_text=True), re.S)
    assert fake_chat.key not in html.get_data(as_text=True)
