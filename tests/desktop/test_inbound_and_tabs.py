"""What customers send, as the agent sees it; contact cards; tabs with unread badges; drafts."""

from playwright.sync_api import expect

from app.db import get_db
from tests.desktop.conftest import accept_offer, says
from tests.desktop.support import data_url, interaction_of, messages_of, png_bytes
from tests.support.browser import screenshot

PHONE = "+447700900555"


def test_every_inbound_kind_renders_and_a_contact_card_becomes_a_contact(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, PHONE, "Hello, see https://example.com/order?id=7 please", name="Tom Baker")
    pane = accept_offer(alice, "Tom Baker")
    first_id = messages_of(interaction_of(PHONE)["_id"])[0]["provider_message_id"]
    media = lambda data, mime, **extra: {"url": data_url(data, mime), "mime_type": mime, **extra}  # noqa: E731
    says(account, PHONE, None, kind="image", caption="My receipt", media=media(png_bytes(), "image/png"))
    says(account, PHONE, None, kind="sticker", media=media(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"))
    says(account, PHONE, None, kind="audio", media=media(b"OggS" + b"\x00" * 60, "audio/ogg"))
    says(account, PHONE, None, kind="voice", media=media(b"OggS" + b"\x01" * 60, "audio/ogg", voice=True))
    says(account, PHONE, None, kind="video", media=media(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "video/mp4"))
    says(account, PHONE, None, kind="document", media=media(b"%PDF-1.4\n%%EOF", "application/pdf", filename="invoice.pdf"))
    says(
        account,
        PHONE,
        None,
        kind="location",
        location={"latitude": 51.5007, "longitude": -0.1246, "name": "Big Ben", "address": "Westminster, London"},
    )
    says(
        account,
        PHONE,
        None,
        kind="contacts",
        contacts=[{"name": {"formatted_name": "Ada Lovelace"}, "phones": [{"phone": "+447700900777"}]}],
    )
    says(account, PHONE, None, kind="reaction", reaction={"message_id": first_id, "emoji": "🙏"})
    says(account, PHONE, "Replying to my first message", context_message_id=first_id)
    says(account, PHONE, None, kind="template_reply", reply={"id": "b1", "title": "Yes, reschedule", "payload": "YES"})
    says(account, PHONE, '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><b>bold?</b>')

    messages = pane.locator("[data-testid=message][data-direction=in]")
    expect(messages).to_have_count(12)
    link = messages.nth(0).get_by_role("link", name="https://example.com/order?id=7")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(messages.nth(0).get_by_test_id("reaction-customer")).to_have_text("🙏")
    by_kind = lambda kind: pane.locator(f"[data-testid=message][data-kind={kind}]")  # noqa: E731
    expect(by_kind("image").locator("img.dk-image")).to_be_visible(timeout=20_000)  # fetched by the media worker
    expect(by_kind("image")).to_contain_text("My receipt")
    expect(by_kind("sticker").locator("img.dk-sticker")).to_have_count(1)
    expect(by_kind("audio").locator("audio")).to_have_count(1)
    expect(by_kind("voice").locator(".dk-voice audio")).to_have_count(1)
    expect(by_kind("video").locator("video")).to_have_count(1)
    expect(by_kind("document")).to_contain_text("invoice.pdf")
    expect(by_kind("document").get_by_role("link", name="Download invoice.pdf")).to_be_visible()
    location = by_kind("location")
    expect(location).to_contain_text("Big Ben")
    expect(location).to_contain_text("Westminster, London")
    expect(location).to_contain_text("51.50070, -0.12460")
    expect(location.get_by_role("link", name="Open in OpenStreetMap")).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=51.5007&mlon=-0.1246#map=16/51.5007/-0.1246"
    )
    expect(by_kind("template_reply")).to_contain_text("Quick reply Yes, reschedule")
    quoted = messages.filter(has_text="Replying to my first message")
    expect(quoted.get_by_test_id("quote")).to_contain_text("Hello, see")
    hostile = messages.last.get_by_test_id("message-text")
    expect(hostile).to_have_text('<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><b>bold?</b>')
    assert hostile.locator("img, script, b").count() == 0
    assert alice.evaluate("window.hacked") is None
    screenshot(alice, "desktop-inbound-kinds")

    card = by_kind("contacts")
    expect(card).to_contain_text("Ada Lovelace")
    expect(card).to_contain_text("+447700900777")
    card.get_by_test_id("contact-card-menu").click()
    alice.get_by_test_id("add-contact").click()
    expect(pane.get_by_test_id("composer-notice")).to_contain_text("Ada Lovelace was added to the contacts")
    assert get_db().contacts.find_one({"phone": "+447700900777"})["first_name"] == "Ada"


def test_two_tabs_badges_drafts_and_contact_edit(team, desktop):
    alice = desktop(team["alice"])
    account = team["sandbox"]
    says(account, "+447700900601", "First customer", name="Ann First")
    accept_offer(alice, "Ann First")
    says(account, "+447700900602", "Second customer", name="Bea Second")
    accept_offer(alice, "Bea Second")
    tab_a = alice.get_by_test_id("tab").filter(has_text="Ann First")
    tab_b = alice.get_by_test_id("tab").filter(has_text="Bea Second")
    # A draft in B survives switching to A and back.
    alice.locator("[data-testid=pane]:visible").get_by_test_id("composer-input").fill("Half-written answer")
    says(account, "+447700900601", "Are you there?")
    says(account, "+447700900601", "Hello??")
    expect(tab_a.get_by_test_id("unread-badge")).to_have_text("2")
    expect(tab_b.get_by_test_id("unread-badge")).to_be_hidden()
    screenshot(alice, "desktop-two-tabs")
    tab_a.get_by_role("tab").click()
    expect(tab_a.get_by_test_id("unread-badge")).to_be_hidden()
    pane_a = alice.locator("[data-testid=pane]:visible")
    expect(pane_a.get_by_test_id("message")).to_have_count(3)
    tab_b.get_by_role("tab").click()
    expect(alice.locator("[data-testid=pane]:visible").get_by_test_id("composer-input")).to_have_value("Half-written answer")

    # The open-interactions list is one click away and opens what it lists.
    alice.get_by_test_id("open-list-toggle").click()
    expect(alice.get_by_test_id("open-row")).to_have_count(2)
    alice.get_by_test_id("open-row").filter(has_text="Ann First").click()
    expect(tab_a.get_by_role("tab")).to_have_attribute("aria-selected", "true")

    # Contact details: only a mobile given, the phone gets the same number.
    pane_a = alice.locator("[data-testid=pane]:visible")
    form = pane_a.get_by_test_id("contact-form")
    form.get_by_label("Last name").fill("Firstly")
    form.get_by_label("Phone").fill("")
    form.get_by_label("Mobile").fill("+447700900611")
    form.get_by_test_id("contact-save").click()
    expect(form.get_by_test_id("contact-status")).to_have_text("Saved.")
    expect(form.get_by_label("Phone")).to_have_value("+447700900611")
    contact = get_db().contacts.find_one({"mobile": "+447700900611"})
    assert contact["phone"] == "+447700900611" and contact["last_name"] == "Firstly"
    expect(pane_a.get_by_test_id("interaction-section")).to_contain_text("Support")
    expect(pane_a.get_by_test_id("window-left")).to_contain_text("left")
