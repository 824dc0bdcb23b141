"""A number's throughput tier (the account's messages per second) caps its campaigns' rate: set by
admins on the account form and the API, a campaign above it refused next to the rate, the default
rate the tier at most 80, and a campaign sending at most at the tier even if it was lowered since."""

import re

import pytest

from app.db import get_db
from app.services import config_cache
from app.services.campaigns import campaign_records, sender
from app.services.channel import accounts
from app.services.errors import ValidationFailed
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.campaigns.test_sending import contacts, new_campaign, setup  # noqa: F401 - the fixture
from tests.support.builders import csrf_token, sign_in


def set_tier(account, tier):
    change = {"$set": {"settings.messages_per_second": tier}} if tier else {"$unset": {"settings.messages_per_second": ""}}
    get_db().accounts.update_one({"_id": account["_id"]}, change)


def test_a_rate_above_the_tier_is_refused_and_the_default_is_the_tier_at_most_80(setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900901"})
    set_tier(setup["account"], None)
    assert new_campaign(setup)["rate"] == 80, "an account saved before the setting has Meta's standard tier"
    set_tier(setup["account"], 20)
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, rate=21)
    assert refused.value.fields == {"rate": "This number's tier allows at most 20 messages per second."}
    assert new_campaign(setup)["rate"] == 20
    set_tier(setup["account"], 1000)
    assert new_campaign(setup)["rate"] == 80 and new_campaign(setup, rate=1000)["rate"] == 1000


def test_a_campaign_sends_at_most_at_the_numbers_current_tier(setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900911"})
    campaign = new_campaign(setup, rate=60)
    assert campaign_records.sending_rate(campaign, accounts.get_account(setup["account"]["_id"])) == 60
    set_tier(setup["account"], 25)
    assert campaign_records.sending_rate(campaign, accounts.get_account(setup["account"]["_id"])) == 25
    config_cache.changed()  # what the account's edit does
    assert sender._Run(campaign).rate == 25, "the sender follows the tier"


def test_admins_set_the_tier_on_the_account_form_and_over_the_api(app, client, setup):  # noqa: F811
    account = setup["account"]
    admin = app.test_client()
    sign_in(admin, setup["admin"]["email"])
    path = f"/admin/accounts/{account['_id']}/edit"
    set_tier(account, None)
    page = admin.get(path).get_data(as_text=True)
    assert re.search(r'name="messages_per_second"[^>]*value="80"', page)
    form = {"name": account["name"], "phone": account["phone"], "max_attachment_mb": "15", "read_receipts": "on_view",
            **{f"cred_{name}": value for name, value in account["credentials"].items()}, "csrf_token": csrf_token(admin, path)}
    too_fast = admin.post(path, data={**form, "messages_per_second": "1001"})
    assert re.search(r'data-field="messages_per_second".*?class="field-error"', too_fast.get_data(as_text=True), re.S)
    assert admin.post(path, data={**form, "messages_per_second": "250"}).status_code == 302
    assert accounts.messages_per_second(accounts.get_account(account["_id"])) == 250
    assert admin.post(path, data={**form, "messages_per_second": ""}).status_code == 302, "left empty: kept"
    assert accounts.messages_per_second(accounts.get_account(account["_id"])) == 250
    assert "250" in admin.get(f"/admin/accounts/{account['_id']}").get_data(as_text=True)

    api = Api(client, api_tokens.create_token(setup["admin"]["_id"], "tests")[0])
    changed = api.patch(f"/accounts/{account['_id']}", json={"settings": {"messages_per_second": 40}})
    assert changed.status_code == 200 and changed.get_json()["settings"]["messages_per_second"] == 40
    refused = api.patch(f"/accounts/{account['_id']}", json={"settings": {"messages_per_second": 0}})
    assert refused.status_code == 422 and "settings.messages_per_second" in refused.get_json()["error"]["fields"]


def test_the_campaign_form_starts_at_the_accounts_default_and_refuses_above_its_tier(app, setup):  # noqa: F811
    set_tier(setup["account"], 30)
    admin = app.test_client()
    sign_in(admin, setup["admin"]["email"])
    page = admin.get("/campaigns/new").get_data(as_text=True)
    assert re.search(r'name="rate"[^>]*value="30"', page)
    assert re.search(r'<option[^>]*data-rate="30"[^>]*data-tier="30"|<option[^>]*data-tier="30"[^>]*data-rate="30"', page)
    form = {"name": "Fast", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "body_params": "{first_name}\nA-1", "list_ids": [str(setup["lists"][0])], "rate": "31",
            "response_timeout_days": "1", "time_zone": "UTC", "csrf_token": csrf_token(admin, "/campaigns/new")}
    refused = admin.post("/campaigns/new", data=form)
    assert refused.status_code == 400
    assert re.search(r'data-field="rate".*?class="field-error"[^>]*>This number&#39;s tier allows at most 30 messages per second',
                     refused.get_data(as_text=True), re.S)
    assert get_db().campaigns.count_documents({}) == 0
