"""The interactions list in Chromium: every filter alone and combined, search, bad filters;
an agent's unread toggling, reopen in purple, ZIP download and the "+" new interaction."""

import json
import zipfile
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.conversations import lifecycle
from tests.interactions.support import attach_image, says, taken
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.engine import make_sandbox_account, stored_messages
from tests.support.sockets import wait_for


def rows(page):
    page.wait_for_load_state("domcontentloaded")
    return sorted(page.locator("[data-testid=row] [data-testid=contact]").all_inner_texts())


def apply(page):
    page.click("[data-testid=apply-filters]")
    page.wait_for_load_state("domcontentloaded")


def test_filters_alone_and_combined_search_and_bad_filters(new_page, team):
    account, other = team["account"], team["other_account"]
    anna = taken(account, team["alice"], "+447700900501", "the invoice is wrong", name="Anna")
    lifecycle.close(team["alice"], anna["_id"], tags=["billing"])
    taken(account, team["bob"], "+447700900502", "where is my parcel", name="Bruno")
    says(other, "+447700900503", "parcel damaged", name="Chiara")
    clock.advance(timedelta(days=3))
    says(account, "+447700900504", "invoice copy please", name="Dario")
    everyone = ["Anna", "Bruno", "Chiara", "Dario"]
    page = new_page()
    sign_in_page(page, team["admin"]["email"], PASSWORD)
    page.goto("/interactions/")
    assert rows(page) == everyone

    def only(setter, expected):
        page.click("[data-testid=clear-filters]")
        page.wait_for_load_state("domcontentloaded")
        setter()
        apply(page)
        assert rows(page) == expected, page.url

    only(lambda: page.select_option("[data-testid=filter-status]", "closed"), ["Anna"])
    only(lambda: page.select_option("[data-testid=filter-status]", "queued"), ["Chiara", "Dario"])
    only(lambda: page.select_option("[data-testid=filter-account_id]", label=other["name"]), ["Chiara"])
    only(lambda: page.select_option("[data-testid=filter-first_agent_id]", label="Bob"), ["Bruno"])
    only(lambda: page.select_option("[data-testid=filter-tags]", ["billing"]), ["Anna"])
    only(lambda: page.select_option("[data-testid=filter-read]", "false"), ["Chiara", "Dario"])
    only(lambda: page.fill("[data-testid=filter-start_from]", clock.now().date().isoformat()), ["Dario"])
    only(
        lambda: page.fill("[data-testid=filter-start_to]", (clock.now() - timedelta(days=1)).date().isoformat()),
        ["Anna", "Bruno", "Chiara"],
    )
    only(lambda: page.fill("[data-testid=filter-window_closing_within]", "24"), ["Dario"])
    only(lambda: page.fill("[data-testid=filter-q]", "+447700900503"), ["Chiara"])
    only(lambda: page.fill("[data-testid=filter-q]", "invoice"), ["Anna", "Dario"])

    page.click("[data-testid=clear-filters]")
    page.fill("[data-testid=filter-q]", "invoice")
    page.select_option("[data-testid=filter-status]", "queued")
    page.select_option("[data-testid=filter-account_id]", label=account["name"])
    page.select_option("[data-testid=filter-read]", "false")
    apply(page)
    assert rows(page) == ["Dario"]
    bookmarked = page.url
    assert "q=invoice" in bookmarked and "status=queued" in bookmarked
    page.goto(bookmarked)  # the same view from the address alone
    assert rows(page) == ["Dario"] and page.input_value("[data-testid=filter-q]") == "invoice"

    response = page.goto("/interactions/?status=archived&start_from=31/12/2026&page=99999")
    assert response.status == 400
    assert "One of" in page.inner_text("[data-testid=error-status]")
    assert "date like" in page.inner_text("[data-testid=error-start_from]")
    assert "Between 1 and 1000" in page.inner_text("[data-testid=error-page]")
    assert page.locator("[data-testid=row]").count() == 0
    screenshot(page, "interactions-bad-filters")


def test_agent_views_reopens_downloads_and_starts_a_conversation(new_page, team):
    account = team["account"]
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.zip_attachments": False}})
    admin_account = make_sandbox_account(team["queue"])  # a second account of the same queue, attachments allowed
    waiting = says(account, "+447700900511", "is anyone there?", name="Marta")
    old = taken(admin_account, team["alice"], "+447700900512", "here is the photo", name="Nico")
    attach_image(old, b"PNG-BYTES")
    lifecycle.close(team["alice"], old["_id"])
    clock.advance(timedelta(hours=30))
    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)

    # Unread: the waiting conversation is unread until Alice views it.
    page.goto("/interactions/?read=false")
    assert rows(page) == ["Marta"]
    page.locator("[data-testid=row]", has_text="Marta").locator("td").nth(4).click()  # a click on the row opens it
    page.wait_for_selector("text=is anyone there?")
    screenshot(page, "interactions-show")
    wait_for(lambda: get_db().interactions.find_one({"_id": waiting["_id"]})["unread"] == 0)  # the page told the API
    page.goto("/interactions/?read=false")
    assert rows(page) == []
    page.goto("/interactions/?read=true")
    assert "Marta" in rows(page)

    # Reopen from the row menu, with a tag and disposition: the date shows in purple.
    page.goto("/interactions/?status=closed")
    row = page.locator("[data-testid=row]", has_text="Nico")
    row.locator("[data-testid=row-menu] summary").click()
    row.locator("[data-testid=reopen-form] select[name=disposition]").select_option("Resolved")
    row.locator("[data-testid=reopen-form] select[name=tags]").select_option(["vip"])
    row.locator("[data-testid=reopen-submit]").click()
    page.wait_for_selector("text=only the recontact template can be sent")
    page.goto("/interactions/?status=reopened")
    reopened = page.locator("[data-testid=row]", has_text="Nico").locator("[data-testid=reopened-at]")
    assert reopened.evaluate("el => getComputedStyle(el).color") == "rgb(126, 34, 206)"
    screenshot(page, "interactions-reopened")
    assert get_db().interactions.find_one({"_id": old["_id"]})["disposition"] == "Resolved"

    # ZIP from the row menu: transcript and JSON, and the photo only where the account allows it.
    for name, has_photo in (("Nico", True), ("Marta", False)):
        page.goto("/interactions/")
        row = page.locator("[data-testid=row]", has_text=name)
        row.locator("[data-testid=row-menu] summary").click()
        with page.expect_download() as download:
            row.locator("[data-testid=menu-zip]").click()
        archive = zipfile.ZipFile(download.value.path())
        names = archive.namelist()
        assert {"transcript.html", "transcript.json"} <= set(names)
        assert any(n.startswith("attachments/") for n in names) is has_photo, name
        assert json.loads(archive.read("transcript.json"))["attachments_included"] is has_photo

    # "+": a new number becomes a contact, the message goes out, and the desktop opens on it.
    page.goto("/interactions/")
    page.click("[data-testid=new-interaction]")
    page.select_option("[data-testid=new-account]", label=account["name"])
    page.fill("[data-testid=new-phone]", "+447700900599")
    page.press("[data-testid=new-phone]", "Tab")
    page.wait_for_selector("text=the contact is created when you send")
    page.fill("[data-testid=new-name]", "Olga New")
    page.check("[data-testid=new-mode-text]")
    page.fill("[data-testid=new-text]", "Hello Olga, about your order")
    screenshot(page, "interactions-new-dialog")
    page.click("[data-testid=new-send]")
    page.wait_for_url("**/desktop/?open=*")
    created = get_db().interactions.find_one({"contact.phone": "+447700900599"})
    assert page.url.endswith(f"/desktop/?open={created['_id']}")
    assert created["agent_id"] == team["alice"]["_id"] and created["direction"] == "outbound"
    assert get_db().contacts.find_one({"phone": "+447700900599"})["first_name"]
    assert waiting["_id"] != created["_id"]


def test_new_conversation_with_a_template_that_takes_header_body_and_link_parameters(new_page, team):
    from tests.engine.helpers import make_template

    template = make_template(
        team["account"],
        name="delivery_slot",
        body="Hi {{1}}, we deliver on {{2}}.",
        buttons=[{"type": "URL", "text": "Track", "url": "https://track.example/{{1}}"}],
    )
    get_db().templates.update_one(
        {"_id": template["_id"]},
        {"$push": {"components": {"$each": [{"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"}], "$position": 0}}},
    )
    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)
    page.goto("/interactions/")
    page.click("[data-testid=new-interaction]")
    page.select_option("[data-testid=new-account]", label=team["account"]["name"])
    page.fill("[data-testid=new-phone]", "+447700900598")
    page.press("[data-testid=new-phone]", "Tab")
    page.check("[data-testid=new-mode-template]")
    page.select_option("[data-testid=new-template]", label="delivery_slot (en)")
    inputs = page.locator("[data-params] input")
    assert inputs.count() == 4  # header {{1}}, body {{1}} {{2}}, the link's {{1}}
    for n, value in enumerate(["A-77", "Olga", "Friday", "A-77"]):
        inputs.nth(n).fill(value)
    page.click("[data-testid=new-send]")
    page.wait_for_url("**/desktop/?open=*")
    created = get_db().interactions.find_one({"contact.phone": "+447700900598"})
    sent = next(m for m in stored_messages(created["_id"]) if m["kind"] == "template")
    rendered = sent["template"]["rendered"]
    assert rendered["header"]["text"] == "Order A-77" and rendered["body"] == "Hi Olga, we deliver on Friday."
    assert rendered["buttons"][0]["url"] == "https://track.example/A-77"
