"""The admin sets up the assistant in a real browser and tries it with the Test box."""

from app import crypto
from app.db import get_db
from app.services.channel.accounts import ASSISTANT_KEY
from tests.fakes.chat_completions import completion, failure
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def test_admin_configures_and_tests_the_assistant(new_page, admin, fake_chat):
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto("/admin/accounts/new/sandbox")
    page.fill("input[name=name]", "Bot line")
    page.fill("input[name=phone]", "+1 555 010 3000")
    page.check("input[name=chatbot_enabled]")
    page.fill("input[name=chatbot_endpoint]", fake_chat.base_url)
    page.fill("input[name=chatbot_api_key]", fake_chat.key)
    page.fill("textarea[name=chatbot_instructions]", "You help bike shop customers.")
    page.click("button[type=submit]:has-text('Save')")
    assert page.inner_text("[data-field=chatbot_model] .field-error") == "Required while the assistant is enabled."
    page.fill("input[name=chatbot_model]", "fake-model")
    page.fill("input[name=chatbot_api_key]", fake_chat.key)
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_selector("[data-testid=assistant-status]")
    assert page.inner_text("[data-testid=assistant-key]") == "stored"
    assert fake_chat.key not in page.content()
    assert crypto.decrypt(get_db().accounts.find_one({})[ASSISTANT_KEY]) == fake_chat.key

    fake_chat.then(completion("Our shop opens at 9."), failure(401, "Incorrect API key provided: sk-xx***"))
    page.fill("textarea[name=message]", "When do you open?")
    page.click("[data-testid=assistant-test]")
    assert page.inner_text("[data-testid=assistant-answer]").endswith("Our shop opens at 9.")
    assert page.input_value("textarea[name=message]") == "When do you open?"
    screenshot(page, "assistant-test-box")
    page.click("[data-testid=assistant-test]")
    error = page.inner_text("[data-testid=assistant-error]")
    assert error == "The endpoint answered HTTP 401: Incorrect API key provided: sk-xx***"
    page.wait_for_load_state("load")  # the answered page's scripts have run: nothing refills the box after us
    page.fill("textarea[name=message]", "")
    page.click("[data-testid=assistant-test]")
    assert page.inner_text("[data-field=message] .field-error") == "Enter a sample message."
    assert [r["messages"][-1]["content"] for r in fake_chat.requests] == ["When do you open?"] * 2
