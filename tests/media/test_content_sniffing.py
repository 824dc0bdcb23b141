"""Files are judged by their bytes at every entry point: SVG or HTML presented as a photo, a sticker,
a video, audio, a voice note or a PDF is refused with a reason, never stored or served under that type."""

import base64
import io

import pytest

from app.db import get_db
from app.providers import sandbox
from tests.engine.test_template_header_file import form as template_form
from tests.simulator.support import Session as SimulatorSession
from tests.support.builders import csrf_token
from tests.support.engine import stored_messages
from tests.webhooks.support import make_account, post_events

from . import test_uploads_and_links
from .support import PNG
from .test_uploads_and_links import upload

interaction = test_uploads_and_links.interaction  # the fixture: a sandbox interaction to upload into

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PAYLOADS = {"svg": SVG, "html": HTML}
#: (kind, declared type, file name): every allowed type an agent's file may be presented as.
DECLARED = [
    ("image", "image/png", "photo.png"),
    ("image", "image/jpeg", "photo.jpg"),
    ("sticker", "image/webp", "sticker.webp"),
    ("video", "video/mp4", "clip.mp4"),
    ("audio", "audio/mpeg", "song.mp3"),
    ("voice", "audio/ogg", "note.ogg"),
    ("document", "application/pdf", "invoice.pdf"),
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("kind", "declared", "filename"), DECLARED)
def test_an_agent_upload_of_markup_is_refused_whatever_it_claims(admin_client, interaction, payload, kind, declared, filename):
    response = upload(admin_client, interaction, PAYLOADS[payload], filename, declared, kind)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["fields"]["file"] == error["message"]
    assert "web page or SVG drawing" in error["message"] or "could not be read" in error["message"]
    assert get_db().media.files.count_documents({}) == 0


def test_an_agent_upload_that_is_not_what_it_claims_says_so(admin_client, interaction):
    response = upload(admin_client, interaction, b"just some words, no picture", "photo.png", "image/png", "image")
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "The file is text/plain but was presented as image/png."


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    ("header", "declared", "filename"),
    [
        ("IMAGE", "image/png", "a.png"),
        ("IMAGE", "image/jpeg", "a.jpg"),
        ("VIDEO", "video/mp4", "a.mp4"),
        ("DOCUMENT", "application/pdf", "a.pdf"),
    ],
)
def test_a_template_header_file_of_markup_is_refused_next_to_the_field(app, admin_client, payload, header, declared, filename):
    account = make_account("meta")
    data = template_form(
        account,
        header_type=header,
        csrf_token=csrf_token(admin_client, "/admin/templates/new"),
        header_file=(io.BytesIO(PAYLOADS[payload]), filename, declared),
    )
    response = admin_client.post("/admin/templates/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "field-error" in html
    assert "web page or SVG drawing, which cannot be sent" in html
    assert get_db().templates.count_documents({}) == 0 and get_db().media.files.count_documents({}) == 0


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("kind", "declared"), [(k, d) for k, d, _ in DECLARED if k != "document"])
def test_the_simulator_refuses_markup_sent_as_media(app, admin_client, payload, kind, declared):
    simulator = SimulatorSession(admin_client, make_account("sandbox"))
    data_url = f"data:{declared};base64," + base64.b64encode(PAYLOADS[payload]).decode()
    response = simulator.post("/message", {"phone": simulator.phone, "kind": kind, "media": {"data_url": data_url}})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "web page or SVG drawing" in error["fields"]["media"]


def test_the_simulator_sends_a_document_of_markup_as_plain_text(app, admin_client):
    simulator = SimulatorSession(admin_client, make_account("sandbox"))
    data_url = "data:application/pdf;base64," + base64.b64encode(HTML).decode()
    response = simulator.post("/message", {"phone": simulator.phone, "kind": "document", "media": {"data_url": data_url}})
    assert response.status_code == 200
    assert "data:text/plain;base64," in response.get_json()["body"]


def _inbound(client, kind, data, declared, voice=False):
    """A customer's message whose media the provider (sandbox: a data URL) declares as ``declared``; the
    file came inside the webhook, so it is checked and stored as the message is. Returns (state, media)."""
    account = make_account("sandbox")
    event = sandbox.build_inbound(
        "+15550002222",
        "audio" if voice else kind,
        media={"url": sandbox.data_url(data, declared), "mime_type": declared, "filename": "x", "voice": voice},
    )
    assert post_events(client, account, event).status_code == 200
    doc = get_db().interactions.find_one({"account_id": account["_id"]})
    [message] = stored_messages(doc["_id"])
    stored = message["media"]
    assert "url" not in stored, "the message never keeps the file's bytes"
    return stored["state"], stored


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("kind", "declared"), [(k, d) for k, d, _ in DECLARED if k != "document"])
def test_a_customers_media_of_markup_is_refused_for_good_with_the_reason(client, payload, kind, declared):
    outcome, stored = _inbound(client, kind, PAYLOADS[payload], declared, voice=kind == "voice")
    assert outcome == "failed" and stored["state"] == "failed"
    assert stored["error"]["code"] == "content_mismatch" and stored["error"]["retrying"] is False
    assert "web page or SVG drawing" in stored["error"]["reason"]
    assert "file_id" not in stored and get_db().media.files.count_documents({}) == 0


def test_a_customers_document_of_markup_is_kept_as_a_plain_text_download(client, admin_client):
    outcome, stored = _inbound(client, "document", SVG, "application/pdf")
    assert outcome == "ready" and stored["mime_type"] == "text/plain"
    served = admin_client.get(f"/media/{stored['file_id']}")
    assert served.data == SVG and served.mimetype == "text/plain"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_customers_image_is_stored_under_the_type_its_bytes_show(client, admin_client):
    outcome, stored = _inbound(client, "image", PNG, "image/jpeg")
    assert outcome == "ready" and stored["mime_type"] == "image/png"
    served = admin_client.get(f"/media/{stored['file_id']}")
    assert served.mimetype == "image/png" and served.headers["Content-Disposition"].startswith("inline")
