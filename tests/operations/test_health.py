"""/healthz answers while the process does; /readyz names the part that is not ready: MongoDB,
Redis, or the workers (processes with a recent heartbeat for every queue, or the embedded
worker's threads)."""

from datetime import UTC, datetime, timedelta

import pytest
from rq import Worker
from rq.utils import utcformat

from app import create_app, queues
from app.services import health
from tests.support.builders import sign_in
from tests.support.live_server import LiveServer
from tests.support.sockets import wait_for
from tools.devstack import RedisServer, free_port


@pytest.fixture
def app_with_own_redis(config):
    """An app on a Redis server this test may stop."""
    server = RedisServer().start()
    config.REDIS_URL = server.url
    yield create_app(config), server
    server.stop()


def test_healthz_is_public_and_checks_nothing_but_the_process(app_with_own_redis):
    app, server = app_with_own_redis
    server.stop()
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_without_any_worker_names_the_workers_part(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["workers"] and body["parts"]["mongodb"]["ok"] and body["parts"]["redis"]["ok"]
    assert body["parts"]["workers"]["error"].startswith("no worker with a recent heartbeat for queue(s): inbound, outbound")


def test_readyz_is_ready_once_a_worker_process_serves_every_queue(client, worker_process):
    worker = worker_process(*queues.QUEUE_NAMES)
    assert wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60), worker.log
    assert client.get("/readyz").get_json() == {
        "status": "ok", "failing": [], "parts": {"mongodb": {"ok": True}, "redis": {"ok": True}, "workers": {"ok": True}}
    }


def test_readyz_names_the_queues_left_without_a_worker(client, worker_process):
    worker = worker_process("inbound", "outbound")
    assert wait_for(lambda: health.live_workers()["inbound"] == 1, timeout=60), worker.log
    body = client.get("/readyz").get_json()
    assert body["failing"] == ["workers"]
    error = body["parts"]["workers"]["error"]
    assert "media" in error and "inbound" not in error and "outbound" not in error


def test_a_worker_whose_heartbeat_is_stale_counts_as_dead(app):
    # On the workers' connection, as workers do: RQ raises its socket timeout past its BLPOP's.
    worker = Worker(["inbound"], connection=queues.worker_redis(), name="silent-worker")
    worker.register_birth()  # a record as a live worker leaves it
    assert health.live_workers()["inbound"] == 1
    stale = datetime.now(UTC) - health.HEARTBEAT_STALE - timedelta(seconds=1)
    queues.get_redis().hset(worker.key, "last_heartbeat", utcformat(stale))  # it died without unregistering
    assert health.live_workers()["inbound"] == 0


def test_readyz_follows_the_embedded_worker_threads(app):
    server = LiveServer(app, with_worker=True).start()
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
    finally:
        server.stop()  # the worker threads end
    body = client.get("/readyz").get_json()
    assert body["failing"] == ["workers"] and body["parts"]["workers"]["error"] == "embedded worker threads are not running"


def test_readyz_names_redis_when_it_is_down_and_pages_keep_working(app_with_own_redis, make_user):
    app, server = app_with_own_redis
    client = app.test_client()
    agent = make_user("agent")
    server.stop()

    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["redis", "workers"] and body["parts"]["mongodb"]["ok"]
    # Public: which part fails, never the driver's words (they name hosts and ports); those go to the log.
    assert body["parts"]["redis"]["error"] == "redis is not reachable"
    assert body["parts"]["workers"]["error"] == "workers cannot be seen while redis is not reachable"
    assert str(server.port) not in response.get_data(as_text=True) and "Error" not in response.get_data(as_text=True)

    assert client.get("/login").status_code == 200
    sign_in(client, agent["email"])  # throttling fails open while Redis is down
    assert client.get("/desktop/").status_code == 200


def test_readyz_of_an_app_whose_redis_url_names_a_closed_port(config):
    config.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    body = create_app(config).test_client().get("/readyz").get_json()
    assert body["failing"] == ["redis", "workers"] and body["parts"]["mongodb"] == {"ok": True}
