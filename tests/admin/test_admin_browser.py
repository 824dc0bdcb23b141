"""The admin's first day in a real browser: queue, agents, Meta account, template with preview,
canned answer; then an account edit without retyping secrets, and field errors."""

from app.db import get_db
from app.services.channel import accounts, provider_access
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD


def save(page):
    page.click("button[type=submit]:has-text('Save')")


def test_admin_configures_the_channel(new_page, admin):
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)

    for name, email in (("Alex Agent", "alex@parley.example"), ("Sam Agent", "sam@parley.example")):
        page.goto("/admin/agents/new")
        page.fill("input[name=name]", name)
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", "agent-pass-2026")
        save(page)
        page.wait_for_selector(f"text=Saved user “{name}”")

    page.goto("/admin/queues/new")
    page.fill("input[name=name]", "Support")
    page.select_option("select[name=agent_ids]", label=["Alex Agent <alex@parley.example>", "Sam Agent <sam@parley.example>"])
    save(page)
    page.wait_for_selector("text=Saved queue “Support”")

    page.goto("/admin/accounts/")
    page.click("[data-testid=new]")
    page.click("[data-testid=provider-meta]")
    page.fill("input[name=name]", "Meta support line")
    page.fill("input[name=phone]", "12345")
    page.select_option("select[name=queue_id]", label="Support")
    page.fill("input[name=cred_phone_number_id]", "106540352242922")
    page.fill("input[name=cred_waba_id]", "102290129340398")
    page.fill("input[name=cred_access_token]", "EAAG-browser-secret")
    page.fill("input[name=cred_app_secret]", "browser-app-secret")
    page.fill("input[name=max_attachment_mb]", "150")
    save(page)
    assert "not possible" in page.inner_text("[data-field=phone] .field-error")
    assert "at most 100 MB" in page.inner_text("[data-field=max_attachment_mb] .field-error")
    page.fill("input[name=phone]", "+1 555 010 2000")
    page.fill("input[name=max_attachment_mb]", "15")
    page.fill("input[name=cred_access_token]", "EAAG-browser-secret")
    page.fill("input[name=cred_app_secret]", "browser-app-secret")
    save(page)
    webhook = page.inner_text("[data-testid=webhook-url]")
    account = accounts.find_by_name("Meta support line")
    assert webhook.endswith(f"/webhooks/whatsapp/{account['webhook_key']}")
    assert page.inner_text("[data-testid=generated-secret]")  # Meta's verify token, to paste into Meta
    assert "EAAG-browser-secret" not in page.content()

    page.click("text=New template")
    page.fill("input[name=name]", "order_ready")
    page.select_option("select[name=header_type]", "IMAGE")
    page.fill("textarea[name=body]", "Hi {{1}}, your order {{2}} is ready.")
    page.fill("input[name=samples]", "Ann | A-42")
    for i, text in enumerate(("Pick up today", "Deliver it")):
        page.select_option(f"select[name=buttons-{i}-type]", "QUICK_REPLY")
        page.fill(f"input[name=buttons-{i}-text]", text)
    preview = page.locator("[data-testid=preview]")
    assert preview.locator("[data-preview=body]").inner_text() == "Hi Ann, your order A-42 is ready."
    assert preview.locator("[data-testid=preview-button]").all_inner_texts() == ["Pick up today", "Deliver it"]
    assert "Image" in preview.locator("[data-preview=header]").inner_text()
    screenshot(page, "admin-template-preview")
    save(page)
    page.wait_for_selector("text=Saved template “order_ready”")

    page.goto("/admin/canned-answers/new")
    page.fill("input[name=title]", "Greeting")
    page.fill("textarea[name=text]", "Hello {contact.first_name}, this is {agent.name}.")
    page.select_option("select[name=queue_ids]", label="Support")
    save(page)
    page.wait_for_selector("text=Saved canned answer “Greeting”")

    page.goto(f"/admin/accounts/{account['_id']}/edit")
    assert page.input_value("input[name=cred_access_token]") == ""
    page.fill("input[name=name]", "Meta support")
    save(page)
    page.wait_for_selector("text=Saved account “Meta support”")
    stored = provider_access.provider_config(accounts.get_account(account["_id"]))
    assert stored["credentials"]["access_token"] == "EAAG-browser-secret"
    assert stored["credentials"]["app_secret"] == "browser-app-secret"
    assert get_db().queues.find_one({"name": "Support"})["_id"] == accounts.get_account(account["_id"])["queue_id"]
    assert len(get_db().queues.find_one({"name": "Support"})["agent_ids"]) == 2
