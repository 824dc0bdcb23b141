"""What the web framework does around a webhook: no session cookie read or written, and rate
limits apply to webhooks as to any route once a request-wide limit is configured."""

import pytest
from flask import request

from app.extensions import limiter
from app.services.channel import webhooks

from .support import make_account, path_of, signed


@pytest.fixture
def config(config):
    config.RATELIMIT_DEFAULT = "2 per minute"
    yield config
    limiter.limit_manager.set_default_limits([])  # the limiter outlives this app: the next tests run unlimited


def test_a_request_wide_limit_applies_to_webhooks(app, client):
    account = make_account("sandbox")
    headers, body = signed(account, {"events": []})
    answers = [client.post(path_of(account), data=body, headers=headers).status_code for _ in range(3)]
    assert answers == [200, 200, 429], answers


def test_webhooks_neither_read_nor_set_a_session_cookie(app, client):
    account = make_account("sandbox")
    with client.session_transaction() as session:
        session["_user_id"] = "someone"  # a browser's session cookie sent along: the webhook ignores it
    headers, body = signed(account, {"events": []})
    response = client.post(path_of(account), data=body, headers=headers)
    assert response.status_code != 500, response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert client.get("/webhooks/whatsapp/unknown-key").headers.get("Set-Cookie") is None


def test_a_delivery_is_answered_below_flask_and_a_handshake_by_the_route(app, client, monkeypatch):
    """Deliveries skip Flask's request handling (no before-request hook sees them); the GET
    verification handshake and other requests under the prefix still go through the route."""
    limiter.limit_manager.set_default_limits([])
    seen = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.path) and None)
    account = make_account("sandbox")
    headers, body = signed(account, {"events": []})
    answer = client.post(path_of(account), data=body, headers=headers)
    assert answer.status_code == 200 and answer.get_json() == {"counts": {"accepted": 0}, "ok": True}
    assert answer.headers["X-Content-Type-Options"] == "nosniff", "the security headers all answers carry"
    assert seen == []
    client.get(path_of(account))
    assert seen == [path_of(account)]


def test_a_fault_in_a_delivery_is_a_500_in_json_and_logged(app, client, monkeypatch, caplog):
    limiter.limit_manager.set_default_limits([])
    account = make_account("sandbox")

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(webhooks, "handle", broken)
    headers, body = signed(account, {"events": []})
    answer = client.post(path_of(account), data=body, headers=headers)
    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "internal_server_error" and "a bug" not in answer.get_data(as_text=True)
    assert "webhook delivery" in caplog.text and "RuntimeError: a bug" in caplog.text
