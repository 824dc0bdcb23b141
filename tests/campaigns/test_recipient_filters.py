"""A campaign's recipients filtered by number and by failure reason, on its page and over the API,
with the failures counted by reason; every filter's query is served by a declared index."""

import pytest

from app.services.campaigns import campaign_progress, campaign_records, sender
from app.services.errors import ValidationFailed
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.campaigns.test_sending import SEND_PATH, contacts, meta_error, new_campaign, ok, setup  # noqa: F401 - the fixture
from tests.support.builders import sign_in
from tests.support.query_shapes import embedded_only, recording, uncovered

UNDELIVERABLE, MARKETING_LIMIT = "+447700903001", "+447700903002"
NUMBERS = (UNDELIVERABLE, MARKETING_LIMIT, "+447700903003", "+447711903004", "+447700903005")


@pytest.fixture
def sent(setup, fake_provider):  # noqa: F811
    """A campaign sent to NUMBERS: three fail (131026 twice, 131049 once), the rest are sent."""
    failing = {UNDELIVERABLE[1:]: meta_error(131026, title="Message undeliverable"),
               MARKETING_LIMIT[1:]: meta_error(131049, title="Healthy ecosystem"),
               NUMBERS[4][1:]: meta_error(131026, title="Message undeliverable")}
    fake_provider.route("POST", SEND_PATH, lambda request: failing.get(request.json["to"]) or ok())
    contacts(setup["lists"][0], *({"first_name": "F", "mobile": number} for number in NUMBERS))
    campaign = new_campaign(setup)
    assert sender.run(campaign["_id"]) == "done"
    return campaign


def numbers(campaign, **filters):
    rows, _ = campaign_records.recipients_page(campaign["_id"], filters)
    return [row["phone"] for row in rows]


def test_recipients_are_found_by_the_digits_of_their_number_or_its_beginning(sent):
    assert numbers(sent, number="3004") == ["+447711903004"], "digits anywhere in the number"
    assert numbers(sent, number="+44 7711") == ["+447711903004"], "typed with +: its beginning"
    assert numbers(sent, number="+7711") == []
    assert numbers(sent, number="7700 903-00") == [UNDELIVERABLE, MARKETING_LIMIT, "+447700903003", NUMBERS[4]]
    assert numbers(sent, number="7700", state="sent") == ["+447700903003"]
    with pytest.raises(ValidationFailed) as refused:
        numbers(sent, number="Ana")
    assert refused.value.fields == {"number": "Type digits of the number; start with + to match its beginning."}


def test_failed_recipients_are_counted_and_found_by_their_reason(sent):
    undeliverable, limited = campaign_progress.failures(sent["_id"])
    assert (undeliverable["code"], undeliverable["count"], limited["code"], limited["count"]) == ("131026", 2, "131049", 1)
    assert undeliverable["sentence"].startswith("Message undeliverable.")
    assert numbers(sent, reason="131026") == [UNDELIVERABLE, NUMBERS[4]]
    assert numbers(sent, reason="131026", number="3005") == [NUMBERS[4]]
    assert numbers(sent, reason="131026", state="sent") == []


@embedded_only
def test_every_filter_is_served_by_a_declared_index(sent):
    with recording({"campaign_recipients"}) as shapes:
        for filters in ({"number": "3004"}, {"number": "+4477"}, {"reason": "131026"}, {"state": "failed", "number": "77"},
                        {"state": "sent"}, {"reason": "131049", "number": "+44"}):
            campaign_records.recipients_page(sent["_id"], filters)
    assert len(shapes) == 12 and uncovered(shapes) == []


def test_the_api_and_the_page_filter_alike(app, client, setup, sent):  # noqa: F811
    admin = Api(client, api_tokens.create_token(setup["admin"]["_id"], "tests")[0])
    found = admin.get(f"/campaigns/{sent['_id']}/recipients", query_string={"reason": "131049"}).get_json()
    assert [row["phone"] for row in found["data"]] == [MARKETING_LIMIT] and found["meta"]["total"] == 1
    assert admin.get(f"/campaigns/{sent['_id']}/recipients", query_string={"number": "x"}).status_code == 422
    spec = admin.get("/openapi.json").get_json()["paths"]["/api/v1/campaigns/{campaign_id}/recipients"]["get"]
    assert {"state", "number", "reason", "page"} <= {parameter["name"] for parameter in spec["parameters"]}

    page = app.test_client()
    sign_in(page, setup["admin"]["email"])
    html = page.get(f"/campaigns/{sent['_id']}", query_string={"number": "+447711"}).get_data(as_text=True)
    assert "+447711903004" in html and UNDELIVERABLE not in html.split('data-testid="recipients"')[1]
    assert 'href="/campaigns/{}?reason=131026"'.format(sent["_id"]) in html, "the breakdown links to its recipients"
    refused = page.get(f"/campaigns/{sent['_id']}", query_string={"number": "Ana"})
    assert refused.status_code == 400 and "Type digits of the number" in refused.get_data(as_text=True)
    progress = page.get(f"/campaigns/{sent['_id']}/progress").get_json()
    assert (progress["state"], progress["done"], progress["failures"][0]["count"]) == ("done", 5, 2)
