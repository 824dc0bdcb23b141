"""Editing an existing template: a new footer and quick-reply buttons are saved (page and API),
and every refusal shows next to its field."""

from playwright.sync_api import expect

from app.services.setup import template_catalog
from tests.engine.helpers import make_template
from tests.media.support import png
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.engine import make_queue, make_sandbox_account


def stored(template):
    return template_catalog.get_template(template["_id"])


def parts(doc):
    return {c["type"]: c for c in doc["components"]}


def edit_page(new_page, admin):
    """The admin on the edit page of a stored template; returns (page, account, template)."""
    account = make_sandbox_account(make_queue())
    template = make_template(account, name="order_ready")
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto(f"/admin/templates/{template['_id']}/edit")
    return page, account, template


def test_an_admin_edits_the_footer_and_adds_quick_replies_in_the_browser(new_page, admin):
    page, account, template = edit_page(new_page, admin)
    expect(page.locator("[data-testid=template-account]")).to_have_text(f"Account: {account['name']}")

    page.fill("input[name=footer]", "Demo shop, since 1999")
    for i, text in enumerate(("Thanks!", "Call me")):
        page.select_option(f"select[name=buttons-{i}-type]", "QUICK_REPLY")
        page.fill(f"input[name=buttons-{i}-text]", text)
    page.click("[data-testid=save]")
    expect(page.locator(".flash")).to_contain_text("Saved template “order_ready”")

    saved = parts(stored(template))
    assert saved["FOOTER"]["text"] == "Demo shop, since 1999"
    assert saved["BUTTONS"]["buttons"] == [{"type": "QUICK_REPLY", "text": "Thanks!"}, {"type": "QUICK_REPLY", "text": "Call me"}]
    assert stored(template)["account_id"] == account["_id"]


def test_editing_keeps_every_button_of_a_template_with_more_than_four(new_page, admin):
    page, account, template = edit_page(new_page, admin)
    six = [{"type": "QUICK_REPLY", "text": f"Choice {n}"} for n in range(1, 7)]
    template_catalog.update_template(
        template["_id"], {"components": [*template["components"], {"type": "BUTTONS", "buttons": six}]}
    )
    page.reload()
    expect(page.locator(".button-row")).to_have_count(6)
    page.fill("input[name=footer]", "New footer")
    page.click("[data-testid=save]")
    expect(page.locator(".flash")).to_contain_text("Saved template “order_ready”")
    assert parts(stored(template))["BUTTONS"]["buttons"] == six
    assert parts(stored(template))["FOOTER"]["text"] == "New footer"


def test_a_refused_edit_shows_each_error_next_to_its_field_and_keeps_the_template(new_page, admin):
    page, account, template = edit_page(new_page, admin)

    page.fill("input[name=name]", "Order Ready")
    page.fill("input[name=footer]", "Short footer")
    page.select_option("select[name=buttons-0-type]", "QUICK_REPLY")
    page.fill("input[name=buttons-0-text]", "Fine")
    page.select_option("select[name=buttons-2-type]", "URL")  # the second filled row: the service's button 1
    page.fill("input[name=buttons-2-text]", "Track it")
    page.fill("input[name=buttons-2-value]", "ftp://example.com/track")
    page.click("[data-testid=save]")
    expect(page.locator("[data-field=name] .field-error")).to_contain_text("lowercase letters")
    expect(page.locator(".button-row").nth(2).locator(".field-error")).to_contain_text("http:// or https://")
    assert page.locator(".button-row").nth(0).locator(".field-error").count() == 0
    expect(page.locator("[data-testid=template-account]")).to_have_text(f"Account: {account['name']}")
    screenshot(page, "template-edit-errors")

    page.fill("input[name=name]", "order_ready")
    page.fill("textarea[name=body]", "")
    page.click("[data-testid=save]")
    expect(page.locator("[data-field=body] .field-error")).to_have_text("Enter the body text.")
    assert parts(stored(template))["FOOTER"]["text"] == "Parley Shop"
    assert "BUTTONS" not in parts(stored(template))


def test_the_editor_preview_draws_the_chosen_header_and_none_when_there_is_none(new_page, admin, tmp_path):
    make_sandbox_account(make_queue())
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto("/admin/templates/new")
    preview = page.get_by_test_id("preview")
    expect(preview.locator("[data-preview=body]")).to_have_text("Your message body")
    expect(preview.locator("[data-preview=header]")).to_have_count(0)
    expect(preview.locator(".wa-media")).to_have_count(0)  # no grey image box under "No header"

    page.select_option("select[name=header_type]", "IMAGE")
    expect(preview.locator("[data-preview=header]")).to_have_text("🖼 Image")
    image_file = tmp_path / "header.png"
    image_file.write_bytes(png(30, 10))
    page.set_input_files("input[name=header_file]", str(image_file))
    page.wait_for_function("() => document.querySelector('[data-preview=header] img')?.naturalWidth === 30")
    page.select_option("select[name=header_type]", "DOCUMENT")
    page.set_input_files("input[name=header_file]", [])
    expect(preview.locator("[data-preview=header]")).to_have_text("📄 Document")

    page.select_option("select[name=header_type]", "TEXT")
    page.fill("input[name=header_text]", "Order {{1}}")
    page.fill("textarea[name=body]", "Your order {{1}} is ready.")
    page.fill("input[name=samples]", "A-42")
    page.fill("input[name=footer]", "Demo shop")
    expect(preview.locator("[data-preview=header]")).to_have_text("Order A-42")
    expect(preview.locator("[data-preview=body]")).to_have_text("Your order A-42 is ready.")
    expect(preview.locator("[data-preview=footer]")).to_have_text("Demo shop")
    screenshot(page, "template-editor-text-header")

    page.select_option("select[name=header_type]", "")
    expect(preview.locator("[data-preview=header]")).to_have_count(0)
    expect(preview.locator(".wa-media")).to_have_count(0)
