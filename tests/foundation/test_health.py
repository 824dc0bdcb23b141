import pytest

from app import create_app
from tests.support.builders import sign_in
from tools.devstack import RedisServer


def test_healthz_is_public_and_reports_both_parts(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["parts"]["mongodb"]["ok"] and body["parts"]["redis"]["ok"]


@pytest.fixture
def app_with_own_redis(config):
    """An app on a Redis server this test may stop."""
    server = RedisServer().start()
    config.REDIS_URL = server.url
    yield create_app(config), server
    server.stop()


def test_healthz_names_redis_when_it_is_down_and_pages_keep_working(app_with_own_redis, make_user):
    app, server = app_with_own_redis
    client = app.test_client()
    agent = make_user("agent")
    server.stop()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["redis"] and not body["parts"]["redis"]["ok"] and body["parts"]["mongodb"]["ok"]
    # Public: which part fails, never the driver's words (they name hosts and ports); those go to the log.
    assert body["parts"]["redis"]["error"] == "redis is not reachable"
    assert str(server.port) not in response.get_data(as_text=True) and "Error" not in response.get_data(as_text=True)

    assert client.get("/login").status_code == 200
    sign_in(client, agent["email"])  # throttling fails open while Redis is down
    assert client.get("/desktop/").status_code == 200
