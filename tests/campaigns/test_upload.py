"""Recipients from a CSV uploaded with a new campaign: its contacts are created first into a new
list named after the campaign, which the campaign is sent to; a file with a bad line creates
nothing (no list, no contact, no campaign) and names each bad line next to the file field."""

import re
from io import BytesIO

import pytest

from app.db import get_db
from app.services.campaigns import campaign_records
from app.services.campaigns import recipients as expansion
from app.services.errors import ValidationFailed
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.campaigns.test_sending import new_campaign, recipients, setup  # noqa: F401 - the fixture
from tests.support.builders import csrf_token, sign_in

GOOD = "first_name,last_name,mobile,tags\nAna,Lee,+447700900801,vip\nBo,,+447700900802,\nAnna,Lee,+44 7700 900801,\n"
PARAMS = {"body": [{"field": "first_name"}, {"value": "A-100"}]}


def nothing_written():
    return {name: get_db()[name].count_documents({}) for name in ("contact_lists", "contacts", "campaigns")}


def test_an_uploaded_csv_becomes_a_list_named_after_the_campaign_and_is_sent_with_the_lists(setup):  # noqa: F811
    get_db().contact_lists.insert_one({"name": "Orders"})  # the name is taken: the new list is numbered
    campaign = new_campaign(setup, list_ids=[], contacts_csv=GOOD)
    made = get_db().contact_lists.find_one({"name": "Orders (2)"})
    assert campaign["list_ids"] == [made["_id"]]
    stored = {c["mobile"]: c for c in get_db().contacts.find({"list_id": made["_id"]})}
    assert sorted(stored) == ["+447700900801", "+447700900802"], "a number on two lines is one contact"
    assert stored["+447700900801"]["first_name"] == "Anna" and stored["+447700900801"]["tags"] == ["vip"], \
        "the later line's filled cells win, its empty ones keep the earlier's"
    assert {phone: r["params"]["body"][0] for phone, r in recipients(campaign).items()} == {
        "+447700900801": "Anna", "+447700900802": "Bo"}


def test_a_csv_with_bad_lines_creates_nothing_and_names_each_line(setup):  # noqa: F811
    before = nothing_written()
    bad = "first_name,mobile\nAna,+447700900811\nBo,not a number\nCy,+447700900813,extra\n"
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, contacts_csv=bad)
    message = refused.value.fields["contacts_csv"]
    assert message.startswith("Line 3: mobile: ") and "Line 4: More cells than columns." in message
    for broken, why in ((b"\xff\xfe", "Not UTF-8."), (b"a,b\x00\n", "binary"), (b"name\nAna\n", "phone or mobile"),
                        (b"mobile\n", "no contacts"), (b"mobile\n" + b"7" * 140_000 + b"\n", "Line 2: field larger"),
                        (b"mobile\n" + b"+447700900810\n" * 400_000, "At most 5 MB per file.")):
        with pytest.raises(ValidationFailed) as refused:
            campaign_records.create(setup["admin"], {"name": "X", "account_id": str(setup["account"]["_id"]),
                                                     "template_id": str(setup["template"]["_id"]), "params": PARAMS},
                                    upload=broken)
        assert why in refused.value.fields["contacts_csv"], broken
    assert nothing_written() == before


def test_a_campaign_refused_for_another_field_writes_no_contact(setup):  # noqa: F811
    before = nothing_written()
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, list_ids=[], contacts_csv=GOOD, time_zone="Mars/Base")
    assert set(refused.value.fields) == {"time_zone"}
    assert nothing_written() == before
    with pytest.raises(ValidationFailed) as refused:
        new_campaign(setup, list_ids=[])
    assert refused.value.fields == {"list_ids": "Choose at least one contact list, or upload a CSV of contacts."}


def signed_in(app, setup):  # noqa: F811
    client = app.test_client()
    sign_in(client, setup["admin"]["email"])
    return client


def form(setup, **fields):  # noqa: F811
    return {"name": "Pick-up", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "body_params": "{first_name}\nA-100", "rate": "10", "response_timeout_days": "1", "time_zone": "UTC", **fields}


def test_the_form_uploads_the_file_and_shows_its_bad_lines_next_to_it(app, setup):  # noqa: F811
    client = signed_in(app, setup)
    token = csrf_token(client, "/campaigns/new")
    bad = client.post("/campaigns/new", content_type="multipart/form-data", data={
        **form(setup), "csrf_token": token, "contacts_csv": (BytesIO(b"mobile,first_name\n+447700900821,Ana\n12,Bo\n"), "c.csv")})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert re.search(r'data-field="contacts_csv".*?class="field-error"[^>]*>Line 3: mobile: ', html, re.S)
    assert get_db().campaigns.count_documents({}) == 0 and get_db().contacts.count_documents({}) == 0

    made = client.post("/campaigns/new", content_type="multipart/form-data", data={
        **form(setup), "csrf_token": token, "contacts_csv": (BytesIO(GOOD.encode("utf-8-sig")), "c.csv")})
    assert made.status_code == 302, made.get_data(as_text=True)
    campaign = expansion.prepare(get_db().campaigns.find_one({}))  # the campaign's job expands it
    assert [get_db().contact_lists.find_one({"_id": i})["name"] for i in campaign["list_ids"]] == ["Pick-up"]
    assert campaign["expanded"] == {"pending": 2, "skipped": 0}

    nothing = client.post("/campaigns/new", data={**form(setup), "csrf_token": token})
    assert re.search(r'data-field="list_ids".*?Choose at least one contact list, or upload', nothing.get_data(as_text=True),
                     re.S)


def test_the_api_takes_the_csv_as_text(client, setup):  # noqa: F811
    admin = Api(client, api_tokens.create_token(setup["admin"]["_id"], "tests")[0])
    body = {"name": "Api upload", "account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "params": PARAMS}
    refused = admin.post("/campaigns", json={**body, "contacts_csv": "mobile\nnope\n"})
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["contacts_csv"].startswith("Line 2: mobile:")
    created = admin.post("/campaigns", json={**body, "contacts_csv": GOOD})
    assert created.status_code == 201, created.get_json()
    assert expansion.prepare(get_db().campaigns.find_one({}))["expanded"] == {"pending": 2, "skipped": 0}
