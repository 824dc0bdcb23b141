"""An admin creates a campaign in Chromium: the template select follows the account, the preview
follows what is typed, field errors (a parameter missing, a rate above the number's tier) sit next
to their fields; then the admin watches it sent (the live server's embedded worker sends through
the fake Meta server) and exports it."""

from playwright.sync_api import expect

from app.db import get_db
from tests.campaigns.test_sending import SEND_PATH, contacts, ok, setup  # noqa: F401 - the fixture
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.webhooks.support import make_account


def test_an_admin_creates_and_watches_a_campaign(new_page, setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700901001"}, {"first_name": "", "mobile": "+447700901002"})
    get_db().accounts.update_one({"_id": setup["account"]["_id"]}, {"$set": {"settings.messages_per_second": 50}})
    other = make_account("meta", phone="+15550009999")
    get_db().templates.insert_one({"account_id": other["_id"], "name": "elsewhere", "language": "en", "status": "APPROVED",
                                   "components": [{"type": "BODY", "text": "Elsewhere"}]})
    page = new_page()
    sign_in_page(page, setup["admin"]["email"], PASSWORD)
    page.goto("/campaigns/")
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.click("[data-testid=new]")
    page.fill("input[name=name]", "Pick-up reminder")
    page.select_option("select[name=account_id]", label=setup["account"]["name"])
    expect(page.locator("select[name=template_id] option:not([disabled])")).to_have_count(1)  # not the other account's
    expect(page.locator("input[name=rate]")).to_have_value("50")
    expect(page.get_by_test_id("tier")).to_have_text("This number's tier: at most 50 messages per second.")
    page.select_option("select[name=template_id]", label=f"{setup['account']['name']} — order_ready (en)")
    expect(page.get_by_test_id("param-counts")).to_have_text("This template takes 2 body parameters.")
    page.fill("textarea[name=body_params]", "{first_name}")
    page.select_option("select[name=list_ids]", label="Shop A")
    preview = page.get_by_test_id("preview")
    expect(preview.get_by_test_id("preview-body")).to_have_text("Hi Ana, your order {{2}} is ready.")
    expect(preview.get_by_test_id("preview-missing")).to_have_text("{{2}}")
    page.fill("textarea[name=body_params]", "{first_name}\nA-100")  # the preview follows as the admin types
    expect(preview.get_by_test_id("preview-body")).to_have_text("Hi Ana, your order A-100 is ready.")
    expect(preview.get_by_test_id("preview-missing")).to_have_count(0)
    page.fill("input[name=sample_phone]", "+447700901002")
    expect(preview.get_by_test_id("preview-missing")).to_have_text("{first_name}")
    expect(preview.get_by_test_id("preview-note")).to_have_text("This contact has no first name: they would be skipped.")
    screenshot(page, "campaign-preview")

    page.fill("textarea[name=body_params]", "{first_name}")
    page.click("[data-testid=save]")
    error = page.locator("[data-field=body_params] .field-error")
    expect(error).to_have_text("This template needs 2 parameter(s) here, got 1.")
    assert get_db().campaigns.count_documents({}) == 0

    page.fill("textarea[name=body_params]", "{first_name}\nA-100")
    page.fill("input[name=rate]", "60")
    page.click("[data-testid=save]")
    expect(page.locator("[data-field=rate] .field-error")).to_have_text(
        "This number's tier allows at most 50 messages per second.")
    assert get_db().campaigns.count_documents({}) == 0
    page.fill("input[name=rate]", "50")
    page.click("[data-testid=save]")
    for _ in range(50):  # the worker expands and sends it; the page shows it on the next load
        if page.get_by_test_id("count-sent").inner_text() == "sent 1":
            break
        page.wait_for_timeout(200)
        page.reload()
    expect(page.get_by_test_id("count-sent")).to_have_text("sent 1")
    expect(page.get_by_test_id("count-skipped")).to_have_text("skipped 1")
    expect(page.get_by_test_id("state")).to_have_text("done")
    expect(page.get_by_test_id("recipients")).to_contain_text("A contact field the template needs is empty.")
    [sent] = fake_provider.requests_to(SEND_PATH)
    assert [p["text"] for p in sent.json["template"]["components"][0]["parameters"]] == ["Ana", "A-100"]
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert "+447700901001,sent" in download.value.path().read_text()
    screenshot(page, "campaign-done")
    page.goto("/campaigns/")
    expect(page.get_by_test_id("campaign-row")).to_contain_text("Pick-up reminder")
