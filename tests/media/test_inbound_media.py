"""Customers' attachments: downloaded by the real RQ job (embedded worker) from the fake provider into GridFS,
served to who may see them, failed downloads visible, retried with backoff and by hand."""

import hashlib
import json

import pytest

from app.db import get_db
from app.services.attachments import media
from tests.fakes.provider_server import FakeResponse
from tests.providers.support import read_bytes
from tests.support.builders import csrf_token
from tests.support.engine import live_events, stored_messages
from tests.support.jobs import run_inbound
from tests.webhooks.support import deliver, make_account, path_of, signed

from .support import PNG, wait_for

MEDIA_ID = "900000000000001"  # the id in meta/inbound_image.json


@pytest.fixture
def meta_account(app, fake_provider):
    return make_account("meta", api_base=fake_provider.url + "/v23.0")


def _post_image(client, account):
    headers, body = signed(account, read_bytes("meta/inbound_image.json"))
    assert deliver(client, account, body, headers).status_code == 200
    return wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))  # or the live server's worker


def _media_of(interaction):
    [message] = stored_messages(interaction["_id"])
    return message["media"], message["id"]


def test_a_meta_image_is_fetched_in_two_steps_stored_and_served(live_server, fake_provider, meta_account, admin_client):
    download_path = fake_provider.meta_media(MEDIA_ID, PNG, "image/jpeg", token="meta-token")
    interaction = _post_image(admin_client, meta_account)
    stored = wait_for(lambda: _media_of(interaction)[0].get("state") == "ready" and _media_of(interaction)[0])
    assert stored["sha256"] == hashlib.sha256(PNG).hexdigest() and stored["size"] == len(PNG)
    assert stored["mime_type"] == "image/png", "the type comes from the bytes, not from what the provider said"
    steps = [r for r in fake_provider.requests if r.method == "GET"]
    assert [r.path for r in steps] == [f"/v23.0/{MEDIA_ID}", download_path]
    assert all(r.headers["authorization"] == "Bearer meta-token" for r in steps)
    response = admin_client.get(f"/media/{stored['file_id']}")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")
    events = [e["event"] for e in live_events(interaction["_id"])]
    assert "media_ready" in events


def test_a_failed_download_is_visible_retried_then_fixed_by_the_retry_endpoint(
        live_server, fake_provider, meta_account, admin_client, monkeypatch):
    monkeypatch.setattr(media, "RETRY_BASE_SECONDS", 0.2)
    monkeypatch.setattr(media, "MAX_ATTEMPTS", 2)
    fake_provider.route("GET", f"/v23.0/{MEDIA_ID}", FakeResponse(500, {"error": {"message": "try later", "code": 2}}))
    interaction = _post_image(admin_client, meta_account)
    failed = wait_for(lambda: (m := _media_of(interaction)[0]).get("state") == "failed" and not m["error"]["retrying"] and m,
                      timeout=15)
    assert failed["error"]["attempt"] == 2 and failed["error"]["reason"]
    assert len(fake_provider.requests_to(f"/v23.0/{MEDIA_ID}")) == 2, "one automatic retry after the first failure"

    fake_provider.meta_media(MEDIA_ID, PNG, "image/png", token="meta-token")
    _, message_id = _media_of(interaction)
    response = admin_client.post(f"/media/{interaction['_id']}/{message_id}/retry",
                                 headers={"X-CSRFToken": csrf_token(admin_client, "/desktop/")})
    assert response.status_code == 202 and response.get_json()["media"]["state"] == "pending"
    ready = wait_for(lambda: (m := _media_of(interaction)[0]).get("state") == "ready" and m)
    assert "error" not in ready
    assert admin_client.get(f"/media/{ready['file_id']}").data == PNG


def test_retrying_needs_csrf_and_visibility(app, client, fake_provider, meta_account, agent_client, make_user):
    interaction = _post_image(client, meta_account)
    _, message_id = _media_of(interaction)
    path = f"/media/{interaction['_id']}/{message_id}/retry"
    assert agent_client.post(path).status_code == 400, "no CSRF token"
    response = agent_client.post(path, headers={"X-CSRFToken": csrf_token(agent_client, "/desktop/")})
    assert response.status_code == 403, "an agent outside the account's queue cannot see it"


def test_sandbox_media_arrives_inline_and_the_data_url_is_dropped(live_server, admin_client):
    from app.providers import sandbox

    account = make_account("sandbox")
    event = sandbox.build_inbound("+15550001111", "image", media={"url": sandbox.data_url(PNG, "image/png"),
                                                                  "mime_type": "image/png", "filename": "../../etc/pic.png"})
    headers, body = signed(account, json.dumps({"events": [event]}).encode())
    assert admin_client.post(path_of(account), data=body, headers=headers).status_code == 200
    interaction = wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))
    stored = wait_for(lambda: (m := _media_of(interaction)[0]).get("state") == "ready" and m)
    assert "url" not in stored and stored["filename"] == "pic.png"


def test_files_are_served_only_to_who_may_see_the_interaction(live_server, meta_account, agent_client, admin_client):
    from app.providers import sandbox

    account = make_account("sandbox")
    event = sandbox.build_inbound("+15550001111", "document", media={"url": sandbox.data_url(b"%PDF-1.4 x", "application/pdf"),
                                                                     "filename": "invoice.pdf"})
    headers, body = signed(account, {"events": [event]})
    admin_client.post(path_of(account), data=body, headers=headers)
    interaction = wait_for(lambda: get_db().interactions.find_one({"account_id": account["_id"]}))
    stored = wait_for(lambda: (m := _media_of(interaction)[0]).get("state") == "ready" and m)
    assert agent_client.get(f"/media/{stored['file_id']}").status_code == 403
    response = admin_client.get(f"/media/{stored['file_id']}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "invoice.pdf" in disposition
    assert admin_client.get("/media/0123456789abcdef01234567").status_code == 404
    assert admin_client.get("/media/not-an-id").status_code == 404


def test_a_download_whose_message_was_erased_meanwhile_leaves_no_file(app, client, fake_provider, meta_account):
    download_path = fake_provider.meta_media(MEDIA_ID, PNG, "image/jpeg", token="meta-token")
    messages = get_db().messages  # the fake server's thread erases through the same engine

    def erased_while_downloading(req):
        messages.delete_many({"kind": "image"})  # as an erasure or a purge would, while the bytes travel
        return FakeResponse(body=PNG, headers={"Content-Type": "image/jpeg"})

    fake_provider.route("GET", download_path, erased_while_downloading)
    headers, body = signed(meta_account, read_bytes("meta/inbound_image.json"))
    assert deliver(client, meta_account, body, headers).applied == {"stored": 1}
    run_inbound(app, ("media",))
    assert fake_provider.requests_to(download_path), "the bytes were fetched"
    assert get_db()["media.files"].count_documents({}) == 0
