"""What the web framework does around a webhook: no session cookie read or written, and rate
limits apply to webhooks as to any route once a request-wide limit is configured."""

import pytest

from app.extensions import limiter

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
