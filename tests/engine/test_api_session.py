"""The browser pages call the API with the signed-in session, and CSRF protects their writes."""

from app.db import get_db
from app.services import clock
from app.services.conversations import inbound
from tests.support.builders import csrf_token, sign_in
from tests.support.engine import customer_says


def test_signed_in_session_reads_and_writes_with_csrf(app, team):
    inbound.ingest(team["account"], customer_says(team["account"], "+447700900123", "hi", timestamp=int(clock.now().timestamp())))
    iid = str(get_db().interactions.find_one({})["_id"])
    client = app.test_client()
    sign_in(client, team["alice"]["email"])
    assert client.get("/api/v1/interactions").status_code == 200
    refused = client.post(f"/api/v1/interactions/{iid}/accept")
    assert refused.status_code == 400 and get_db().interactions.find_one({})["status"] == "queued"
    token = csrf_token(client, "/desktop/")
    assert client.post(f"/api/v1/interactions/{iid}/accept", headers={"X-CSRFToken": token}).status_code == 200


def test_anonymous_browser_gets_401(client):
    assert client.get("/api/v1/interactions").status_code == 401
