"""The customer's edits and deletions (Meta's edit and revoke webhooks, fixtures composed from Meta's
reference): the message shows the new words or "deleted by the customer" to agents, keeps what it
said for admins, and open desktops hear of it live."""

import copy
import io
import json
import zipfile
from datetime import timedelta

import pytest

from app.db import get_db
from app.providers import InboundMessage
from app.services import clock
from app.services.conversations import inbound, routing
from tests.providers.support import load
from tests.support.builders import make_user, sign_in
from tests.support.query_shapes import embedded_only, recording, uncovered
from tests.webhooks.support import deliver, make_account, signed

ORIGINAL_ID = "wamid.FAKE000000000000000000000040="
IMAGE_ID = "wamid.FAKE000000000000000000000042="
CUSTOMER = "+15550001111"


@pytest.fixture
def chat(app):
    """(agent, account, interaction): the customer sent a text and a photo, an agent accepted."""
    agent = make_user("agent")
    account = make_account("meta")
    get_db().queues.update_one({"_id": account["queue_id"]}, {"$push": {"agent_ids": agent["_id"]}})
    at = clock.now() - timedelta(minutes=5)
    inbound.ingest(account, [InboundMessage("meta", ORIGINAL_ID, CUSTOMER, "text", at, text="My order number is 4521")])
    interaction = routing.accept(agent, get_db().interactions.find_one({"account_id": account["_id"]})["_id"])
    return agent, account, interaction


def _post(app, account, rel, **changes):
    payload = copy.deepcopy(load(rel))
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    for key, value in changes.items():
        message[key] = value
    headers, body = signed(account, json.dumps(payload).encode())
    return deliver(app.test_client(), account, body, headers).applied


def _api(app, user, interaction_id):
    client = app.test_client()
    sign_in(client, user["email"])
    return client.get(f"/api/v1/interactions/{interaction_id}").get_json()


def _events(app, user, interaction_id):
    client = app.test_client()
    sign_in(client, user["email"])
    return client.get(f"/api/v1/interactions/{interaction_id}/events?after_seq=0").get_json()["events"]


def _stored():
    return get_db().messages.find_one({"provider_message_id": ORIGINAL_ID})


def test_an_edit_shows_the_new_words_and_keeps_the_original_for_admins(app, chat, admin):
    agent, account, interaction = chat
    assert _post(app, account, "meta/inbound_edit_text.json") == {"edited": 1}

    stored = _stored()
    assert stored["text"] == "My order number is 4512, not 4521"
    assert [e["text"] for e in stored["edits"]] == ["My order number is 4521"] and stored["edited_at"]

    for_agent = _api(app, agent, interaction["_id"])["messages"][0]
    assert for_agent["text"] == "My order number is 4512, not 4521" and for_agent["edited_at"]
    assert "edits" not in for_agent, "earlier versions are for admins"
    for_admin = _api(app, admin, interaction["_id"])["messages"][0]
    assert [e["text"] for e in for_admin["edits"]] == ["My order number is 4521"]
    assert get_db().interactions.find_one({"_id": interaction["_id"]})["last_message"]["preview"] == (
        "My order number is 4512, not 4521"
    )

    [event] = [e for e in _events(app, agent, interaction["_id"]) if e["event"] == "message_edited"]
    assert event["text"] == "My order number is 4512, not 4521" and "number is 4521" not in json.dumps(event)
    assert "edits" not in event


def test_a_repeated_or_older_edit_changes_nothing(app, chat):
    _, account, _ = chat
    assert _post(app, account, "meta/inbound_edit_text.json") == {"edited": 1}
    assert _post(app, account, "meta/inbound_edit_text.json") == {"duplicate": 1}
    older = {"id": "wamid.FAKE000000000000000000000049=", "timestamp": "1750000000"}
    older_edit = {"original_message_id": ORIGINAL_ID, "message": {"type": "text", "text": {"body": "stale words"}}}
    assert _post(app, account, "meta/inbound_edit_text.json", **older, edit=older_edit) == {"stale_edit": 1}
    assert _stored()["text"] == "My order number is 4512, not 4521" and len(_stored()["edits"]) == 1


def test_a_caption_edit_changes_the_caption(app, chat):
    _, account, interaction = chat
    photo = InboundMessage("meta", IMAGE_ID, CUSTOMER, "image", clock.now() - timedelta(minutes=1), caption="Broken box")
    inbound.ingest(account, [photo])
    assert _post(app, account, "meta/inbound_edit_image_caption.json") == {"edited": 1}
    stored = get_db().messages.find_one({"provider_message_id": IMAGE_ID})
    assert stored["caption"] == "The box arrived broken like this" and stored["edits"][0]["text"] == "Broken box"


def test_a_deletion_hides_the_words_from_agents_and_keeps_them_for_admins(app, chat, admin):
    agent, account, interaction = chat
    searching = app.test_client()
    sign_in(searching, agent["email"])
    assert 'data-testid="row"' in searching.get("/interactions/?q=4521").get_data(as_text=True)
    assert _post(app, account, "meta/inbound_revoke.json") == {"deleted": 1}
    assert _stored()["deleted"]["at"] and _stored()["text"] == "My order number is 4521"

    for_agent = _api(app, agent, interaction["_id"])["messages"][0]
    assert for_agent["deleted"] and "text" not in for_agent
    assert "4521" not in json.dumps(_api(app, agent, interaction["_id"]))
    assert _api(app, admin, interaction["_id"])["messages"][0]["text"] == "My order number is 4521"
    admin_client = app.test_client()
    sign_in(admin_client, admin["email"])
    admin_page = admin_client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "Deleted by the customer · kept for admins" in admin_page and "My order number is 4521" in admin_page

    client = app.test_client()
    sign_in(client, agent["email"])
    page = client.get(f"/interactions/{interaction['_id']}").get_data(as_text=True)
    assert "Deleted by the customer" in page and "4521" not in page
    assert "Deleted by the customer" in client.get("/interactions/").get_data(as_text=True)
    assert 'data-testid="row"' not in client.get("/interactions/?q=4521").get_data(as_text=True), "its words find nothing"

    [event] = [e for e in _events(app, agent, interaction["_id"]) if e["event"] == "message_deleted"]
    assert event["deleted"]["at"] and "text" not in event

    edit_after = {"id": "wamid.FAKE000000000000000000000050=", "timestamp": "1750000999"}
    assert _post(app, account, "meta/inbound_edit_text.json", **edit_after) == {"stale_edit": 1}


def test_an_edit_of_an_unknown_message_is_counted_not_stored(app, chat):
    _, account, _ = chat
    unknown = {"original_message_id": "wamid.UNKNOWN=", "message": {"type": "text", "text": {"body": "x"}}}
    assert _post(app, account, "meta/inbound_edit_text.json", edit=unknown) == {"orphan_edit": 1}
    assert get_db().messages.count_documents({}) == 1


@embedded_only
def test_edits_and_deletions_query_only_through_declared_indexes(app, chat):
    _, account, _ = chat
    with recording({"interactions", "messages"}) as shapes:
        _post(app, account, "meta/inbound_edit_text.json")
        _post(app, account, "meta/inbound_revoke.json")
    assert shapes and uncovered(shapes) == []


def test_the_zip_transcript_keeps_earlier_versions_for_admins_only(app, chat, admin):
    agent, account, interaction = chat
    assert _post(app, account, "meta/inbound_edit_text.json") == {"edited": 1}

    def transcript(user):
        client = app.test_client()
        sign_in(client, user["email"])
        response = client.get(f"/interactions/{interaction['_id']}/export.zip")
        assert response.status_code == 200
        return zipfile.ZipFile(io.BytesIO(response.data)).read("transcript.html").decode()

    for_admin, for_agent = transcript(admin), transcript(agent)
    assert 'data-testid="edit-history"' in for_admin and "My order number is 4521" in for_admin
    assert 'data-testid="edited"' in for_agent and "4512, not 4521" in for_agent
    assert "My order number is 4521<" not in for_agent and 'data-testid="edit-history"' not in for_agent
