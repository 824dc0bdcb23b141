"""The Show page (conversation, sidebar, journey), close and reopen forms, the ZIP export."""

import io
import json
import re
import zipfile
from datetime import timedelta

from app.db import get_db
from app.services import clock
from app.services.conversations import lifecycle
from tests.interactions.support import attach_image, says, taken
from tests.support.builders import csrf_token, sign_in


def client_of(app, user):
    client = app.test_client()
    sign_in(client, user["email"])
    return client


def unzip(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_show_page_has_the_conversation_sidebar_and_journey_across_accounts(app, team):
    earlier = taken(team["other_account"], team["carol"], "+447700900301", "first time on support", name="Maria")
    lifecycle.close(team["carol"], earlier["_id"])
    now = says(team["account"], "+447700900301", "<b>hello</b> from sales")
    html = client_of(app, team["admin"]).get(f"/interactions/{now['_id']}").get_data(as_text=True)
    assert "&lt;b&gt;hello&lt;/b&gt; from sales" in html and "<b>hello</b>" not in html
    journey = html.split('data-testid="side-journey"')[1]
    assert str(earlier["_id"]) in journey and str(now["_id"]) in journey
    assert 'data-testid="take"' in html and 'data-testid="read-only"' in html
    # Alice sees her queue's interaction but not Carol's earlier one in the journey.
    alice_html = client_of(app, team["alice"]).get(f"/interactions/{now['_id']}").get_data(as_text=True)
    assert str(earlier["_id"]) not in alice_html.split('data-testid="side-journey"')[1]
    assert client_of(app, team["alice"]).get(f"/interactions/{earlier['_id']}").status_code == 403


def test_close_then_reopen_from_the_forms(app, team):
    interaction = taken(team["account"], team["alice"], "+447700900311", "thanks, solved")
    client = client_of(app, team["alice"])
    assert 'data-testid="close-form"' in client.get("/interactions/").get_data(as_text=True)  # her own open row
    assert 'data-testid="close-form"' not in client_of(app, team["bob"]).get("/interactions/").get_data(as_text=True)
    token = csrf_token(client, "/interactions/")
    form = {"csrf_token": token, "disposition": "Resolved", "tags": ["vip", "billing"], "next": "/interactions/"}
    closed = client.post(f"/interactions/{interaction['_id']}/close", data=form)
    assert closed.status_code == 302 and closed.headers["Location"] == "/interactions/"
    doc = get_db().interactions.find_one({"_id": interaction["_id"]})
    assert doc["status"] == "closed" and doc["disposition"] == "Resolved" and set(doc["tags"]) == {"vip", "billing"}
    clock.advance(timedelta(hours=25))
    reopened = client.post(f"/interactions/{interaction['_id']}/reopen", data={"csrf_token": token, "next": "https://evil.example/"},
                           follow_redirects=True)
    page = reopened.get_data(as_text=True)
    assert reopened.request.path == "/interactions/"
    assert "only the recontact template can be sent" in page and 'data-testid="reopened-at"' in page
    refused = client.post(f"/interactions/{interaction['_id']}/reopen", data={"csrf_token": token}, follow_redirects=True)
    assert "This interaction is not closed." in refused.get_data(as_text=True)
    unknown = client.post(f"/interactions/{interaction['_id']}/close", data={"csrf_token": token, "disposition": "Nope"},
                          follow_redirects=True)
    assert "Unknown disposition" in unknown.get_data(as_text=True)
    assert client.post(f"/interactions/{interaction['_id']}/close", data={}).status_code == 400  # no CSRF token


def test_zip_has_an_escaped_offline_transcript_json_and_attachments_for_admins(app, team):
    interaction = taken(team["account"], team["alice"], "+447700900321", "<script>alert(1)</script> hi", name="Eve <x>")
    file_id = attach_image(interaction, b"PNGDATA")
    archive = unzip(client_of(app, team["admin"]).get(f"/interactions/{interaction['_id']}/export.zip"))
    names = archive.namelist()
    assert "transcript.html" in names and "transcript.json" in names
    attachment = next(name for name in names if name.startswith("attachments/"))
    assert archive.read(attachment) == b"PNGDATA"
    html = archive.read("transcript.html").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hi" in html and "<script" not in html
    assert "Eve &lt;x&gt;" in html and f'src="{attachment}"' in html and "<style>" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from anywhere: it opens offline
    record = json.loads(archive.read("transcript.json"))
    assert record["attachments"][0]["file_id"] == file_id and record["attachments_included"] is True
    assert any(m.get("text", "").startswith("<script>") for m in record["messages"])


def test_agents_get_attachments_only_when_the_account_allows(app, team):
    interaction = taken(team["account"], team["alice"], "+447700900331", "see photo")
    attach_image(interaction)
    alice = client_of(app, team["alice"])
    allowed = unzip(alice.get(f"/interactions/{interaction['_id']}/export.zip"))
    assert any(n.startswith("attachments/") for n in allowed.namelist())
    get_db().accounts.update_one({"_id": team["account"]["_id"]}, {"$set": {"settings.zip_attachments": False}})
    archive = unzip(alice.get(f"/interactions/{interaction['_id']}/export.zip"))
    assert not any(n.startswith("attachments/") for n in archive.namelist())
    assert "not included" in archive.read("transcript.html").decode()
    assert json.loads(archive.read("transcript.json"))["attachments_included"] is False
    admin_archive = unzip(client_of(app, team["admin"]).get(f"/api/v1/interactions/{interaction['_id']}/export.zip"))
    assert any(n.startswith("attachments/") for n in admin_archive.namelist())
    assert client_of(app, team["carol"]).get(f"/interactions/{interaction['_id']}/export.zip").status_code == 403


def test_contact_lookup_for_the_new_interaction_dialog(app, team):
    says(team["account"], "+447700900341", "hi", name="Known Person")
    alice = client_of(app, team["alice"])
    known = alice.get(f"/interactions/contact-lookup?account_id={team['account']['_id']}&phone=447700900341").get_json()
    assert known["phone"] == "+447700900341" and known["contact"]["name"] == "Known Person"
    new = alice.get(f"/interactions/contact-lookup?account_id={team['account']['_id']}&phone=%2B447700900399").get_json()
    assert new == {"phone": "+447700900399", "contact": None, "open_interaction": None}
    lookup = f"/interactions/contact-lookup?account_id={team['account']['_id']}"
    bad = alice.get(f"{lookup}&phone=12", headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "phone" in bad.get_json()["error"]["fields"]
    other = alice.get(f"/interactions/contact-lookup?account_id={team['other_account']['_id']}&phone=%2B447700900399")
    assert other.status_code == 403
