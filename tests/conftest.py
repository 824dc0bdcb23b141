"""Shared fixtures: the app with the test configuration, clients per role, data builders,
a real Redis (started here when REDIS_URL is unset), live servers and the browser."""

import logging
import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from app import create_app, db, queues
from app.services import clock
from config import SERVER_URI_SCHEMES, TestingConfig
from tests.support import builders, processes
from tests.support.live_server import LiveServer
from tools.devstack import RedisServer

pytest_plugins = ["tests.fakes.conftest_plugin", "tests.support.browser"]

_worker_redis = []


def pytest_configure(config):
    """Under pytest-xdist (`-n 2`), each worker process runs its tests against a redis-server of its
    own, started here before anything reads REDIS_URL: tests empty Redis, scan its keys and share
    Socket.IO's pub/sub channels, which one server would mix between workers. With a MongoDB
    server, each worker gets a database of its own on it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    _worker_redis.append(RedisServer().start())
    os.environ["REDIS_URL"] = _worker_redis[0].url
    mongo = os.environ.get("MONGO_URI", "")
    if mongo.startswith(SERVER_URI_SCHEMES):
        parts = urlsplit(mongo)
        name = parts.path.lstrip("/") or "parley_test"
        os.environ["MONGO_URI"] = urlunsplit(parts._replace(path=f"/{name}_{worker}"))


def pytest_unconfigure(config):
    if _worker_redis:
        # Threads of the last apps (Socket.IO's Redis listener) outlive the tests and would log the stop.
        logging.disable(logging.CRITICAL)
    while _worker_redis:
        _worker_redis.pop().stop()


@pytest.fixture(scope="session")
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with RedisServer() as server:
        os.environ["REDIS_URL"] = server.url
        yield server.url
        del os.environ["REDIS_URL"]


@pytest.fixture
def config(redis_url):
    config = TestingConfig()
    config.REDIS_URL = redis_url
    return config


@pytest.fixture
def app(config):
    """A fresh app: a new embedded database (or an emptied real one) and an emptied Redis."""
    app = create_app(config)
    if not db.is_embedded():
        database = db.get_db()
        database.client.drop_database(database.name)
        db.ensure_indexes()
    queues.get_redis().flushdb()
    # No app context stays pushed: requests would share it, and with it `g` (the signed-in user).
    yield app


@pytest.fixture(autouse=True)
def real_clock():
    """Tests may move the engine's clock; every test starts and ends on the real one."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    return builders.make_user


@pytest.fixture
def admin(app):
    return builders.make_user("admin")


@pytest.fixture
def agent(app):
    return builders.make_user("agent")


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    builders.sign_in(client, admin["email"])
    return client


@pytest.fixture
def agent_client(app, agent):
    client = app.test_client()
    builders.sign_in(client, agent["email"])
    return client


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a thread, with the embedded RQ worker running."""
    server = LiveServer(app, with_worker=True).start()
    yield server
    server.stop()


@pytest.fixture
def worker_process(redis_url, tmp_path):
    """Start Parley's worker in a process of its own on the given queues; killed at the end if still running."""
    started = []

    def start(*queue_names):
        started.append(processes.WorkerProcess(redis_url, tmp_path / f"worker-{len(started)}.log", *queue_names))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()
