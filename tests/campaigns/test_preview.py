"""A new campaign's preview: the message as its first (or a chosen) contact would receive it, what
is missing for that contact, over the service, the form's endpoint (CSRF, admins, escaped HTML)
and the REST API."""

import re

import pytest
from bson import ObjectId

from app.db import get_db
from app.services.campaigns import campaign_preview, opt_out
from app.services.errors import ValidationFailed
from app.services.people import api_tokens
from tests.api.conftest import Api
from tests.campaigns.test_sending import contacts, setup  # noqa: F401 - the fixture
from tests.support.builders import csrf_token, make_user, sign_in

FULL = {"name": "offer", "language": "en", "status": "APPROVED", "category": "marketing", "components": [
    {"type": "HEADER", "format": "TEXT", "text": "Hello {{1}}"},
    {"type": "BODY", "text": "Dear {{1}}, {{2}} is waiting for you at {{3}}."},
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Yes please"}, {"type": "URL", "text": "Open",
                                                                                 "url": "https://shop.test/{{1}}"}]},
]}


@pytest.fixture
def offer(setup):  # noqa: F811
    doc = {**FULL, "account_id": setup["account"]["_id"]}
    doc["_id"] = get_db().templates.insert_one(doc).inserted_id
    return doc


def body(setup, template, **overrides):  # noqa: F811
    return {"account_id": str(setup["account"]["_id"]), "template_id": str(template["_id"]),
            "list_ids": [str(setup["lists"][0])], **overrides}


def text(segments):
    return "".join(f"[{s['text']}]" if s["missing"] else s["text"] for s in segments)


def test_the_first_contact_sees_the_whole_message_and_a_missing_field_says_they_would_be_skipped(setup, offer):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "company": "", "mobile": "+447700900701"},
             {"first_name": "Zed", "company": "Zeta", "mobile": "+447700900799"})
    params = {"header": [{"field": "first_name"}], "body": [{"field": "first_name"}, {"value": "Your parcel"},
                                                           {"field": "company"}], "buttons": {"1": {"value": "p-1"}}}
    shown = campaign_preview.preview(body(setup, offer, params=params, name="ignored", rate=5))
    assert shown["sample"]["name"] == "Ana" and shown["sample"]["phone"] == "+447700900701"
    assert shown["template"] == {"id": str(offer["_id"]), "name": "offer", "language": "en", "header_params": 1,
                                 "body_params": 3}
    message = shown["message"]
    assert text(message["header"]["segments"]) == "Hello Ana"
    assert text(message["body"]) == "Dear Ana, Your parcel is waiting for you at [{company}]."
    assert message["footer"] == "Reply STOP to opt out"
    assert message["buttons"] == [{"type": "QUICK_REPLY", "text": "Yes please"}, {"type": "URL", "text": "Open"}]
    assert shown["notes"] == ["This contact has no company: they would be skipped."]
    assert shown["problems"] == {}


def test_a_typed_number_picks_the_contact_and_an_unknown_one_is_named(setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900711"})
    contacts(setup["lists"][1], {"first_name": "Bea", "mobile": "+447700900712"})
    params = {"body": [{"field": "first_name"}, {"value": "A-1"}]}
    shown = campaign_preview.preview(body(setup, setup["template"], params=params, sample_phone="+44 7700 900712"))
    assert shown["sample"]["name"] == "Bea" and text(shown["message"]["body"]) == "Hi Bea, your order A-1 is ready."
    assert shown["notes"] == []
    unknown = campaign_preview.preview(body(setup, setup["template"], params=params, sample_phone="+447700900999"))
    assert unknown["problems"] == {"sample_phone": "No contact has this number."} and unknown["sample"] is None
    assert text(unknown["message"]["body"]) == "Hi [{first_name}], your order A-1 is ready."
    bad = campaign_preview.preview(body(setup, setup["template"], params=params, sample_phone="12"))
    assert set(bad["problems"]) == {"sample_phone"}


def test_parameters_without_a_source_show_as_placeholders_and_say_what_a_create_would_refuse(setup):  # noqa: F811
    shown = campaign_preview.preview(body(setup, setup["template"], list_ids=[], params={"body": [{"value": "Sir"}]}))
    assert text(shown["message"]["body"]) == "Hi Sir, your order [{{2}}] is ready."
    assert shown["problems"] == {"params.body": "This template needs 2 parameter(s) here, got 1."}
    assert shown["sample"] is None and shown["notes"] == [campaign_preview.NO_SAMPLE]


def test_a_tag_narrows_the_sample_and_an_opted_out_number_would_be_skipped(setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900721"},
             {"first_name": "Vip", "mobile": "+447700900722", "tags": ["vip"]})
    opt_out.apply(setup["account"]["_id"], "+447700900722", "STOP")
    params = {"body": [{"field": "first_name"}, {"value": "A-1"}]}
    shown = campaign_preview.preview(body(setup, setup["template"], params=params, tag="vip"))
    assert shown["sample"]["name"] == "Vip"
    assert shown["notes"] == ["This number opted out of marketing messages: they would be skipped."]
    nobody = campaign_preview.preview(body(setup, setup["template"], params=params, tag="gold"))
    assert nobody["sample"] is None and nobody["notes"] == ["No contact of these lists has this tag."]


def test_a_template_of_another_account_is_refused(setup, offer):  # noqa: F811
    other_id = get_db().templates.insert_one({**FULL, "account_id": ObjectId()}).inserted_id
    with pytest.raises(ValidationFailed) as refused:
        campaign_preview.preview(body(setup, {"_id": other_id}))
    assert refused.value.fields == {"template_id": "No such template on this account."}


def test_the_form_endpoint_draws_escaped_html_for_admins_only_and_wants_its_csrf_token(app, setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "<b>Ana</b>", "mobile": "+447700900731"})
    admin = app.test_client()
    sign_in(admin, setup["admin"]["email"])
    form = {"account_id": str(setup["account"]["_id"]), "template_id": str(setup["template"]["_id"]),
            "body_params": "{first_name}\n{company}", "list_ids": [str(setup["lists"][0])]}
    token = csrf_token(admin, "/campaigns/new")
    html = admin.post("/campaigns/preview", data={**form, "csrf_token": token}).get_data(as_text=True)
    assert "Hi &lt;b&gt;Ana&lt;/b&gt;, your order" in html and "<b>Ana" not in html
    assert re.search(r'<mark class="wa-missing"[^>]*>\{company\}</mark>', html)
    assert "This contact has no company: they would be skipped." in html
    assert admin.post("/campaigns/preview", data=form).status_code == 400, "no CSRF token"
    empty = admin.post("/campaigns/preview", data={"csrf_token": token})
    assert empty.status_code == 200 and "Template: Required." in empty.get_data(as_text=True)

    agent = app.test_client()
    sign_in(agent, make_user("agent")["email"])
    assert agent.post("/campaigns/preview", data={**form, "csrf_token": csrf_token(agent, "/profile/")}).status_code == 403


def test_the_api_previews_with_the_body_of_a_create(client, setup):  # noqa: F811
    contacts(setup["lists"][0], {"first_name": "Ana", "mobile": "+447700900741"})
    admin = Api(client, api_tokens.create_token(setup["admin"]["_id"], "tests")[0])
    create_body = body(setup, setup["template"], name="Pick-up", rate=10,
                       params={"body": [{"field": "first_name"}, {"value": "A-1"}]})
    shown = admin.post("/campaign-preview", json=create_body)
    assert shown.status_code == 200, shown.get_json()
    assert shown.get_json()["message"]["body"] == [{"text": "Hi Ana, your order A-1 is ready.", "missing": False}]
    refused = admin.post("/campaign-preview", json={**create_body, "template_id": ""})
    assert refused.status_code == 422 and set(refused.get_json()["error"]["fields"]) == {"template_id"}
    agent = Api(client, api_tokens.create_token(make_user("agent")["_id"], "tests")[0])
    assert agent.post("/campaign-preview", json=create_body).status_code == 403
    assert get_db().campaigns.count_documents({}) == 0
