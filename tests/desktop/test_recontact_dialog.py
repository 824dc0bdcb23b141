"""The recontact template from the desktop: a dialog previews it (header, body, footer, buttons),
asks for its parameters prefilled from the contact, and sends only on Send."""

from playwright.sync_api import expect

from app.db import get_db
from tests.desktop.conftest import accept_offer, says
from tests.engine.helpers import make_template
from tests.support.browser import screenshot
from tests.support.engine import stored_messages
from tests.support.sockets import wait_for

PHONE = "+447700900777"


def recontact_with_parameters(account):
    template = make_template(
        account,
        name="case_news",
        body="Hello {{1}}, your case {{2}} has news.",
        buttons=[{"type": "QUICK_REPLY", "text": "Tell me"}],
        recontact=True,
        available_for_agents=False,
    )
    components = [
        {"type": "HEADER", "format": "TEXT", "text": "Case update"},
        {
            "type": "BODY",
            "text": "Hello {{1}}, your case {{2}} has news.",
            "example": {"body_text": [["{contact.first_name}", "C-123"]]},
        },
        *template["components"][1:],
    ]
    get_db().templates.update_one({"_id": template["_id"]}, {"$set": {"components": components}})
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"settings.recontact_template_id": template["_id"]}})
    return template


def template_messages(phone):
    doc = get_db().interactions.find_one({"contact.phone": phone})
    return [m for m in stored_messages(doc["_id"]) if m["kind"] == "template"]


def test_a_recontact_template_with_parameters_is_previewed_filled_in_and_sent(team, desktop):
    account = team["sandbox"]
    recontact_with_parameters(account)
    alice = desktop(team["alice"])
    says(account, PHONE, "Any news on my case?", name="Rita Rossi")
    pane = accept_offer(alice, "Rita Rossi")
    expect(pane.locator("[data-testid=contact-form] input[name=first_name]")).to_have_value("Rita")  # the contact is loaded

    pane.get_by_test_id("recontact").click()
    dialog = alice.get_by_test_id("recontact-dialog")
    preview = dialog.get_by_test_id("recontact-preview")
    expect(dialog.get_by_test_id("param-1")).to_have_value("Rita")  # its sample names the contact's first name
    expect(dialog.get_by_test_id("param-2")).to_have_value("")
    expect(dialog.get_by_test_id("param-2")).to_have_attribute("placeholder", "C-123")
    expect(preview.locator("[data-preview=header]")).to_have_text("Case update")
    expect(preview.locator("[data-preview=body]")).to_have_text("Hello Rita, your case {{2}} has news.")
    expect(preview.locator("[data-preview=footer]")).to_have_text("Parley Shop")
    expect(preview.get_by_test_id("preview-button")).to_have_text(["Tell me"])

    dialog.get_by_test_id("dialog-confirm").click()
    expect(dialog).to_contain_text("Fill in the template's parameters: Parameter {{2}}.")
    assert template_messages(PHONE) == []

    dialog.get_by_test_id("param-2").fill("C-77")
    expect(dialog).not_to_contain_text("Fill in the template's parameters")
    expect(preview.locator("[data-preview=body]")).to_have_text("Hello Rita, your case C-77 has news.")
    screenshot(alice, "desktop-recontact-dialog")
    dialog.get_by_test_id("param-2").press("Enter")
    expect(dialog).to_have_count(0)
    sent = pane.locator("[data-testid=message][data-kind=template]")
    expect(sent).to_contain_text("Hello Rita, your case C-77 has news.")
    expect(sent).to_contain_text("System · recontact template")
    stored = wait_for(lambda: template_messages(PHONE))
    assert stored[0]["template"]["rendered"]["body"] == "Hello Rita, your case C-77 has news."
    assert stored[0]["template"]["rendered"]["header"]["text"] == "Case update"


def test_a_recontact_template_without_parameters_still_asks_before_it_goes_out(team, desktop):
    account = team["sandbox"]
    alice = desktop(team["alice"])
    says(account, PHONE, "Hello", name="Nina Noparams")
    pane = accept_offer(alice, "Nina Noparams")

    pane.get_by_test_id("recontact").click()
    dialog = alice.get_by_test_id("recontact-dialog")
    expect(dialog.get_by_test_id("recontact-preview")).to_contain_text("Hello again! Reply to continue.")
    expect(dialog.locator("input")).to_have_count(0)
    dialog.get_by_test_id("dialog-cancel").click()
    expect(dialog).to_have_count(0)
    alice.wait_for_timeout(300)
    assert template_messages(PHONE) == []

    pane.get_by_test_id("recontact").click()
    alice.get_by_test_id("recontact-dialog").get_by_test_id("dialog-confirm").click()
    sent = pane.locator("[data-testid=message][data-kind=template]")
    expect(sent).to_contain_text("Hello again! Reply to continue.")
    assert len(wait_for(lambda: template_messages(PHONE))) == 1
