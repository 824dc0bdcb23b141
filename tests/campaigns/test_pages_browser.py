"""An admin creates a campaign in Chromium: the template select follows the account, the preview
follows what is typed, field errors (a parameter missing, a rate above the number's tier) sit next
to their fields; then the admin watches it sent live on its open page (the live server's embedded
worker sends through the fake Meta server) and exports it; a pause takes effect within a second,
and a resume elsewhere shows at once."""

import threading

from playwright.sync_api import expect

from app.db import get_db
from app.services.campaigns import campaign_progress, campaign_records
from tests.campaigns.test_sending import SEND_PATH, contacts, new_campaign, ok, setup  # noqa: F401 - the fixture
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.webhooks.support import make_account


def still_the_page_first_loaded(page):
    """Mark the page's document; `stayed(page)` is true while no reload replaced it."""
    page.evaluate("window.loadedOnce = true")


def stayed(page):
    return page.evaluate("window.loadedOnce === true")


def shown_sent(page):
    return int(page.get_by_test_id("count-sent").inner_text().split()[1])


def until_shown_sent(page, at_least):
    page.wait_for_function("n => Number(document.querySelector('[data-testid=count-sent]').textContent.split(' ')[1]) >= n",
                           arg=at_least)


def test_an_admin_creates_and_watches_a_campaign(new_page, setup, fake_provider):  # noqa: F811
    provider_answers = threading.Event()
    fake_provider.route("POST", SEND_PATH, lambda request: provider_answers.wait(10) and ok())
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
    expect(page.get_by_test_id("count-skipped")).to_have_text("skipped 1")  # once its job expanded the recipients
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    expect(page.get_by_test_id("count-sending")).to_have_text("sending 1")  # the provider has not answered yet
    expect(page.get_by_test_id("count-sent")).to_have_text("sent 0")
    expect(page.get_by_test_id("pause")).to_be_visible()
    still_the_page_first_loaded(page)
    provider_answers.set()
    expect(page.get_by_test_id("count-sent")).to_have_text("sent 1")
    expect(page.get_by_test_id("state")).to_have_text("done")
    expect(page.get_by_test_id("done")).to_have_text("2 of 2 done")
    expect(page.get_by_test_id("pause")).to_be_hidden()
    expect(page.get_by_test_id("cancel")).to_be_hidden()
    ana = page.get_by_test_id("recipients").locator("tr", has_text="+447700901001").locator("td").nth(1)
    expect(ana).to_have_text("sent")  # the table too
    assert stayed(page), "the counters moved without a reload"
    expect(page.get_by_test_id("recipients")).to_contain_text("No first name for this contact: the template needs it.")
    [sent] = fake_provider.requests_to(SEND_PATH)
    assert [p["text"] for p in sent.json["template"]["components"][0]["parameters"]] == ["Ana", "A-100"]
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert "+447700901001,sent" in download.value.path().read_text()
    screenshot(page, "campaign-done")
    page.goto("/campaigns/")
    expect(page.get_by_test_id("campaign-row")).to_contain_text("Pick-up reminder")


def test_a_pause_takes_effect_within_a_second_and_a_resume_elsewhere_shows_at_once(new_page, setup, fake_provider):  # noqa: F811
    fake_provider.route("POST", SEND_PATH, ok)
    contacts(setup["lists"][0], *({"first_name": "P", "mobile": f"+44770090{4000 + n}"} for n in range(60)))
    page, listing = new_page(), new_page()
    for each in (page, listing):
        sign_in_page(each, setup["admin"]["email"], PASSWORD)
        expect(each.get_by_test_id("whoami")).to_be_visible()
    campaign = new_campaign(setup, prepared=False, rate=5)  # 12 seconds of sending, by the live server's worker
    listing.goto("/campaigns/")
    row = listing.get_by_test_id("campaign-row")
    page.goto(f"/campaigns/{campaign['_id']}")
    still_the_page_first_loaded(page)
    until_shown_sent(page, shown_sent(page) + 2)  # moving while the page stays open
    assert stayed(page)
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("state")).to_have_text("paused")
    expect(page.get_by_test_id("resume")).to_be_visible()
    expect(page.get_by_test_id("pause")).to_be_hidden()
    expect(row.locator("[data-live=state]")).to_have_text("paused")  # the list moves too, without a reload
    page.wait_for_timeout(1000)  # the senders read the pause within a second; what they had in hand is recorded
    sent = len(fake_provider.requests_to(SEND_PATH))
    expect(page.get_by_test_id("count-sent")).to_have_text(f"sent {sent}")
    page.wait_for_timeout(1000)
    assert len(fake_provider.requests_to(SEND_PATH)) == sent < 60, "nothing is sent while paused"

    still_the_page_first_loaded(page)
    campaign_records.resume(campaign["_id"])  # another admin, over the API
    expect(page.get_by_test_id("state")).to_have_text("sending", timeout=1000)
    expect(page.get_by_test_id("pause")).to_be_visible()
    until_shown_sent(page, sent + 2)
    assert stayed(page)
    expect(row.locator("[data-live=state]")).to_have_text("sending")
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("state")).to_have_text("cancelled")
    expect(page.get_by_test_id("resume")).to_be_hidden()
    expect(row.locator("[data-live=state]")).to_have_text("cancelled")
    page.wait_for_timeout(1000)  # what the senders had in hand is recorded
    progress = campaign_progress.progress(campaign["_id"])
    assert progress["pending"] > 0 and progress["sending"] == 0
    expect(row.locator("[data-live=done]")).to_have_text(str(progress["sent"]))
    expect(page.get_by_test_id("count-sent")).to_have_text(f"sent {progress['sent']}")
