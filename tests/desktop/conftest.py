"""The desktop in Chromium: a team of two agents, a sandbox account and a Meta account served
by the fake provider, canned answers, dispositions and tags; pages signed in and connected."""

import itertools
import json

import pytest
from playwright.sync_api import expect

from app.db import get_db
from app.providers.base import WebhookRequest
from app.providers.registry import get_provider
from app.providers.sandbox import build_inbound, build_status
from app.services.channel import accounts
from app.services.conversations import inbound
from app.services.setup import canned_answers
from app.services.setup.labels import dispositions, tags
from tests.engine.helpers import make_template
from tests.support.browser import sign_in_page
from tests.support.builders import PASSWORD, make_user
from tests.support.engine import make_queue, make_sandbox_account

META_PHONE_ID = "100000000000001"
_wamid = itertools.count(1)


def meta_send_answer(req):
    from tests.fakes.provider_server import FakeResponse

    return FakeResponse(json={"messaging_product": "whatsapp", "messages": [{"id": f"wamid.TEST{next(_wamid)}"}]})


@pytest.fixture
def team(app, fake_provider):
    from tests.fakes.provider_server import FakeResponse

    alice, bob = make_user("agent", name="Alice Agent"), make_user("agent", name="Bob Agent")
    queue = make_queue([alice["_id"], bob["_id"]], name="Support")
    sandbox = make_sandbox_account(queue, allow_transfer=True)
    recontact = make_template(sandbox, name="recontact_hello", body="Hello again! Reply to continue.", recontact=True)
    get_db().accounts.update_one({"_id": sandbox["_id"]}, {"$set": {"settings.recontact_template_id": str(recontact["_id"])}})
    fake_provider.route("POST", f"/v23.0/{META_PHONE_ID}/messages", meta_send_answer)
    fake_provider.route("POST", f"/v23.0/{META_PHONE_ID}/media", FakeResponse(json={"id": "media-upload-1"}))
    meta = accounts.create_account(
        "Meta Shop",
        "meta",
        "+15550009999",
        queue_id=queue["_id"],
        api_base=f"{fake_provider.url}/v23.0",
        credentials={"phone_number_id": META_PHONE_ID, "waba_id": "100000000000002"},
        secret_values={"access_token": "meta-token", "app_secret": "fake_app_secret_0123456789abcdef", "verify_token": "vt"},
    )
    canned_answers.create_answer(
        {
            "title": "Greeting",
            "text": "Hello {contact.first_name}, I am {agent.name}. How can I help?",
            "queue_ids": [str(queue["_id"])],
        }
    )
    dispositions.create({"name": "Solved"})
    tags.create({"name": "billing"})
    return {"alice": alice, "bob": bob, "queue": queue, "sandbox": accounts.get_account(sandbox["_id"]), "meta": meta}


def _events(*bodies):
    """Normalized events, parsed by the sandbox adapter whatever the account's provider."""
    adapter = get_provider({"provider": "sandbox", "phone": "+15550000000", "credentials": {}})
    return adapter.parse_webhook(WebhookRequest(body=json.dumps({"events": list(bodies)}).encode()))


def says(account, phone, text="Hello", **fields):
    """A customer message arriving through the engine, as a webhook would deliver it."""
    return inbound.ingest(account, _events(build_inbound(phone, fields.pop("kind", "text"), text=text, **fields)))


def status(account, provider_message_id, value, **fields):
    """A provider status callback (sent, delivered, read, failed with an error)."""
    return inbound.ingest(account, _events(build_status(provider_message_id, value, **fields)))


@pytest.fixture
def desktop(new_page):
    """Open the desktop signed in as `user`; page errors fail the test."""
    errors = []

    def open_desktop(user, viewport=(1280, 800)):
        page = new_page(viewport=viewport)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        sign_in_page(page, user["email"], PASSWORD)
        page.wait_for_url("**/desktop/")
        expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
        return page

    yield open_desktop
    assert not errors, f"JavaScript errors: {errors}"


def customer_texts(pane):
    """The texts of the customer's messages in a conversation pane, in the order shown."""
    return pane.locator("[data-testid=message][data-direction=in] [data-testid=message-text]")


def accept_offer(page, phone_or_name):
    offer = page.get_by_test_id("offer").filter(has_text=phone_or_name)
    offer.get_by_test_id("offer-accept").click()
    expect(page.get_by_test_id("tab").filter(has_text=phone_or_name)).to_be_visible()
    return page.locator("[data-testid=pane]:visible")
