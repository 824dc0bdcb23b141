"""The "+" dialog in Chromium: the eye button previews the chosen template as the customer will
see it (header image, body with the typed parameters, footer, buttons); an account whose provider
cannot start conversations is listed with the product's warning instead of being hidden."""

from playwright.sync_api import expect

from app.db import get_db
from app.services.attachments import media_store
from app.services.channel import accounts
from app.services.contacts import number_lookup
from tests.engine.helpers import make_template
from tests.media.support import png
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.engine import stored_messages

PHONE = "+447700900640"


def order_template(account):
    header_file = media_store.put(png(40, 20), "order.png", "image/png", purpose="template_header")
    template = make_template(
        account,
        name="order_photo",
        buttons=[
            {"type": "QUICK_REPLY", "text": "Thanks"},
            {"type": "URL", "text": "Track", "url": "https://track.example/{{1}}"},
        ],
    )
    components = [
        {"type": "HEADER", "format": "IMAGE", "media_file_id": header_file["file_id"]},
        {
            "type": "BODY",
            "text": "Hi {{1}}, your order {{2}} is ready.",
            "example": {"body_text": [["{contact.first_name}", "A-1"]]},
        },
        *template["components"][1:],
    ]
    get_db().templates.update_one({"_id": template["_id"]}, {"$set": {"components": components}})
    return template


def open_dialog(page, account):
    page.goto("/interactions/")
    page.click("[data-testid=new-interaction]")
    page.select_option("[data-testid=new-account]", label=account["name"])


def test_the_eye_previews_the_template_with_the_typed_parameters_header_footer_and_buttons(new_page, team):
    account = team["account"]
    order_template(account)
    number_lookup.upsert_from_whatsapp(number_lookup.account_list_id(account), PHONE, "Olga Rossi")
    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)
    open_dialog(page, account)
    page.fill("[data-testid=new-phone]", PHONE)
    page.press("[data-testid=new-phone]", "Tab")
    expect(page.get_by_test_id("new-contact-status")).to_have_text("Contact: Olga Rossi")
    page.select_option("[data-testid=new-template]", label="order_photo (en)")

    preview = page.get_by_test_id("new-template-preview")
    expect(preview).to_be_hidden()
    page.click("[data-testid=new-template-eye]")
    expect(page.get_by_test_id("new-template-eye")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("param-1")).to_have_value("Olga")  # from the contact: its sample names the first name
    expect(preview.locator("[data-preview=body]")).to_have_text("Hi Olga, your order {{2}} is ready.")
    page.get_by_test_id("param-2").fill("A-77")
    expect(preview.locator("[data-preview=body]")).to_have_text("Hi Olga, your order A-77 is ready.")
    image = preview.locator("[data-preview=header] img")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=image.element_handle())
    expect(preview.locator("[data-preview=footer]")).to_have_text("Parley Shop")
    expect(preview.get_by_test_id("preview-button")).to_have_text(["Thanks", "↗ Track"])
    screenshot(page, "interactions-new-dialog-preview")

    page.click("[data-testid=new-send]")
    expect(page.get_by_test_id("new-error")).to_have_text("Fill in the template's parameters: Link of “Track”.")
    page.locator("[data-params] input").last.fill("A-77")
    page.click("[data-testid=new-send]")
    page.wait_for_url("**/desktop/?open=*")
    created = get_db().interactions.find_one({"contact.phone": PHONE})
    sent = next(m for m in stored_messages(created["_id"]) if m["kind"] == "template")
    assert sent["template"]["rendered"]["body"] == "Hi Olga, your order A-77 is ready."


def test_an_account_that_cannot_start_conversations_is_listed_with_the_warning(new_page, team):
    twilio = accounts.create_account(
        "Twilio line",
        "twilio",
        "+15550107000",
        queue_id=team["queue"]["_id"],
        credentials={"account_sid": "AC" + "1" * 32},
        secret_values={"auth_token": "t" * 32},
    )
    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)
    page.goto("/interactions/")
    page.click("[data-testid=new-interaction]")
    warning = page.get_by_test_id("new-account-warning")
    expect(warning).to_be_hidden()
    page.select_option("[data-testid=new-account]", label=twilio["name"])
    expect(warning).to_have_text("The associated account does not allow the sending of new messages.")
    expect(page.get_by_test_id("new-send")).to_be_disabled()
    expect(page.get_by_test_id("new-phone")).to_be_disabled()
    screenshot(page, "interactions-new-dialog-cannot-start")
    page.select_option("[data-testid=new-account]", label=team["account"]["name"])
    expect(warning).to_be_hidden()
    expect(page.get_by_test_id("new-send")).to_be_enabled()
