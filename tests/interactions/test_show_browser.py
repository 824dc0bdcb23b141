"""The read-only Show page in Chromium: a system line keeps a space before its time, and a
customer's quick reply quotes the template it answers by the template's text."""

from playwright.sync_api import expect

from app.services.conversations import inbound, lifecycle, message_store, outbound
from tests.engine.helpers import make_template
from tests.interactions.support import taken
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.engine import sandbox_events
from tests.support.sockets import wait_for

PHONE = "+447700900650"
GAP = """line => {
  const words = line.querySelector("span").firstChild;
  const text = document.createRange();
  text.setStart(words, 0);
  text.setEnd(words, words.textContent.trimEnd().length);
  return line.querySelector("time").getBoundingClientRect().left - text.getBoundingClientRect().right;
}"""


def test_system_lines_and_quick_reply_quotes_read_as_sent(new_page, team):
    from app.providers.sandbox import build_inbound

    account, alice = team["account"], team["alice"]
    interaction = taken(account, alice, PHONE, "Is my order ready?", name="Olga")
    template = make_template(account, name="order_ready", buttons=[{"type": "QUICK_REPLY", "text": "Thanks!"}])
    sent, _ = outbound.compose(
        alice, interaction["_id"], {"kind": "template", "template_id": str(template["_id"]), "params": {"body": ["Olga", "A-42"]}}
    )
    # The live server's worker sends it: the customer's reply quotes the provider id the send got.
    def provider_id():
        return message_store.get(interaction["_id"], sent["id"], {"provider_message_id": 1}).get("provider_message_id")

    stored = wait_for(provider_id)
    assert stored, "the template was never sent"
    reply = build_inbound(PHONE, "button_reply", reply={"title": "Thanks!", "payload": "Thanks!"}, context_message_id=stored)
    inbound.ingest(account, sandbox_events(account, reply))
    lifecycle.close(alice, interaction["_id"])

    page = new_page()
    sign_in_page(page, team["admin"]["email"], PASSWORD)
    page.goto(f"/interactions/{interaction['_id']}")
    expect(page.locator(".msg-quote")).to_have_text("Hi Olga, your order A-42 is ready.")
    system = page.locator("[data-testid=message][data-kind=system]").last
    expect(system).to_contain_text("Closed by Alice")
    assert system.evaluate(GAP) >= 3, "no space between a system line and its time"
    screenshot(page, "interactions-show-quote-and-system-line")
