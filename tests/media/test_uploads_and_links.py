"""Agents' uploads (checked before storing, voice notes remuxed) and the signed public links providers fetch."""

import io

import pytest

from app.db import get_db
from app.providers import sandbox
from app.services.attachments import media_links
from tests.providers.test_media import make_webm_opus
from tests.support.builders import csrf_token
from tests.webhooks.support import make_account, post_events

from .support import PNG


@pytest.fixture
def interaction(app, client):
    account = make_account("sandbox")
    post_events(client, account, sandbox.build_inbound("+15550001111", text="hello"))
    return get_db().interactions.find_one({"account_id": account["_id"]})


def upload(client, interaction, data, filename, mime, kind, token=True):
    headers = {"X-CSRFToken": csrf_token(client, "/desktop/")} if token else {}
    form = {"file": (io.BytesIO(data), filename, mime), "kind": kind, "interaction_id": str(interaction["_id"])}
    return client.post("/media/upload", data=form, headers=headers, content_type="multipart/form-data")


def test_an_image_is_checked_stored_and_described(admin_client, interaction):
    response = upload(admin_client, interaction, PNG, "../../etc/holiday<1>.png", "image/png", "image")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mime_type"] == "image/png" and body["size"] == len(PNG) and body["filename"] == "holiday1.png"
    stored = get_db().media.files.find_one({"filename": "holiday1.png"})
    assert stored["metadata"]["account_id"] == str(interaction["account_id"])
    assert stored["metadata"]["sha256"]
    assert admin_client.get(f"/media/{body['file_id']}").data == PNG


def test_a_browser_voice_recording_becomes_ogg_opus(admin_client, interaction):
    response = upload(admin_client, interaction, make_webm_opus(0.5), "blob", "audio/webm;codecs=opus", "voice")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mime_type"] == "audio/ogg" and body["filename"].endswith(".ogg")
    data = admin_client.get(f"/media/{body['file_id']}").data
    assert data[:4] == b"OggS" and b"OpusHead" in data[:512]


@pytest.mark.parametrize(
    ("data", "filename", "mime", "kind", "reason"),
    [
        (PNG, "photo.jpg", "image/jpeg", "image", "was presented as image/jpeg"),
        (b"MZ\x90\x00" + b"\x00" * 60, "setup.exe", "application/octet-stream", "document", "cannot be sent"),
        (PNG, "photo.png", "image/png", "hologram", "Choose what to send"),
        (b"", "empty.pdf", "application/pdf", "document", "empty"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(admin_client, interaction, data, filename, mime, kind, reason):
    response = upload(admin_client, interaction, data, filename, mime, kind)
    assert response.status_code == 422
    assert reason in response.get_json()["error"]["message"]
    assert get_db().media.files.count_documents({}) == 0


def test_account_limits_apply(admin_client, interaction):
    limits = {"settings.max_attachment_bytes": 1024, "settings.allowed_attachment_types": ["image"]}
    get_db().accounts.update_one({"_id": interaction["account_id"]}, {"$set": limits})
    too_big = upload(admin_client, interaction, b"%PDF-1.4" + b"0" * 4096, "a.pdf", "application/pdf", "document")
    assert too_big.status_code == 422 and "does not allow document" in too_big.get_json()["error"]["message"]
    big_png = PNG + b"\x00" * 2048
    assert "limit" in upload(admin_client, interaction, big_png, "b.png", "image/png", "image").get_json()["error"]["message"]


def test_uploads_need_csrf_one_file_and_visibility(admin_client, agent_client, interaction):
    assert upload(admin_client, interaction, PNG, "a.png", "image/png", "image", token=False).status_code == 400
    response = admin_client.post("/media/upload", data={"kind": "image", "interaction_id": str(interaction["_id"])},
                                 headers={"X-CSRFToken": csrf_token(admin_client, "/desktop/")})
    assert response.status_code == 422 and "exactly one" in response.get_json()["error"]["message"]
    assert upload(agent_client, interaction, PNG, "a.png", "image/png", "image").status_code == 403


def test_public_links_are_signed_expiring_and_serve_the_file(app, client, admin_client, interaction):
    file_id = upload(admin_client, interaction, PNG, "a.png", "image/png", "image").get_json()["file_id"]
    app.config["PARLEY_PUBLIC_URL"] = None
    media_links.configure(app.config["SECRET_KEY"], "https://parley.example.com/")
    link = media_links.public_link(file_id)
    assert link.startswith("https://parley.example.com/webhooks/media/")
    path = link.removeprefix("https://parley.example.com")
    response = client.get(path)  # anonymous: the provider has no session
    assert response.status_code == 200 and response.data == PNG and response.mimetype == "image/png"
    assert client.get(path[:-3] + "xyz").status_code == 404, "an altered token is refused"
    assert media_links.file_id_from(path.rsplit("/", 1)[1], max_age=-1) is None, "and so is an expired one"


def test_without_a_public_url_links_use_the_address_providers_reached(app, client):
    media_links.configure(app.config["SECRET_KEY"], None)
    account = make_account("sandbox")
    post_events(client, account, sandbox.build_inbound("+15550002222", text="hi"))
    assert media_links.public_link("0123456789abcdef01234567").startswith("http://localhost/webhooks/media/")
