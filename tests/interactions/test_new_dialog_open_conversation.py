"""The "+" dialog finds the customer as the engine does, even when the contact lives in a list
the account used before, and says before anything is typed that a conversation is open there,
with a link to it, instead of letting the send be refused."""

from playwright.sync_api import expect

from app.db import get_db
from tests.interactions.support import taken
from tests.interactions.test_new_dialog_browser import open_dialog
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD, sign_in

PHONE = "+447700900435"


def type_number(page, phone):
    page.fill("[data-testid=new-phone]", phone)
    page.press("[data-testid=new-phone]", "Tab")  # the lookup runs when the field is left


def test_an_open_conversation_in_an_older_list_is_found_and_linked(new_page, team):
    account = team["account"]
    interaction = taken(account, team["bob"], PHONE, "Where is my refund?", name="Olga Rossi")
    newer = get_db().contact_lists.insert_one({"name": "Customers 2026"}).inserted_id
    get_db().accounts.update_one({"_id": account["_id"]}, {"$set": {"contact_list_id": newer}})

    page = new_page()
    sign_in_page(page, team["alice"]["email"], PASSWORD)
    open_dialog(page, account)
    type_number(page, PHONE)
    expect(page.get_by_test_id("new-contact-status")).to_have_text("Contact: Olga Rossi")
    notice = page.get_by_test_id("new-open-interaction")
    expect(notice).to_contain_text("This customer already has an open conversation on this account (with Bob)")
    expect(page.get_by_test_id("new-send")).to_be_disabled()
    screenshot(page, "interactions-new-dialog-open-conversation")

    # Another number: the notice goes and the send is possible again.
    type_number(page, "+447700900436")
    expect(page.get_by_test_id("new-contact-status")).to_have_text("New number: the contact is created when you send.")
    expect(notice).to_be_hidden()
    expect(page.get_by_test_id("new-send")).to_be_enabled()

    type_number(page, PHONE)
    notice.get_by_test_id("new-open-link").click()
    page.wait_for_url(f"**/interactions/{interaction['_id']}")
    expect(page.locator("body")).to_contain_text("Where is my refund?")
    assert get_db().contacts.count_documents({"list_id": newer}) == 0, "looking up must not create the contact"


def test_my_own_open_conversation_links_to_the_desktop(client, team):
    interaction = taken(team["account"], team["alice"], PHONE, "Hello", name="Olga Rossi")
    sign_in(client, team["alice"]["email"], PASSWORD)
    found = client.get(f"/interactions/contact-lookup?account_id={team['account']['_id']}&phone={PHONE}").get_json()
    assert found["open_interaction"] == {
        "id": str(interaction["_id"]),
        "agent_name": "Alice",
        "queue_name": "Sales",
        "mine": True,
    }
