"""The run command end to end: eventlet and gevent servers, its own Redis, demo data, sign-in over HTTP,
a Socket.IO round trip, and Ctrl-C leaving no process behind."""

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app.services.demo import DEMO_PASSWORD
from tests.support.http import cookie_header, signed_in_session
from tests.support.sockets import RecordingClient, wait_for
from tools.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture(params=["eventlet", "gevent"])
def portal(request, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PARLEY_CONFIG", "MONGO_URI")}
    env.update(PARLEY_PORT=str(port), PARLEY_ASYNC_MODE=request.param, PYTHONUNBUFFERED="1", PARLEY_INSTANCE_DIR=str(tmp_path))
    for name in ("SECRET_KEY", "PARLEY_SECRET_KEY_FILE"):
        env.pop(name, None)
    log = (tmp_path / "portal.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.devstack", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(f"{url}/readyz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    assert wait_for(up, timeout=60), (tmp_path / "portal.log").read_text()
    yield url, process, log, request.param
    if group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def test_run_command_serves_signs_in_round_trips_and_stops_cleanly(portal, tmp_path):
    url, process, log, mode = portal
    key_file = tmp_path / "secret_key"  # no key configured: the run generated one, readable by its owner only
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    log.seek(0)
    output = log.read()
    assert f"async mode {mode}" in output and "agent1@parley.example / " + DEMO_PASSWORD in output

    session = signed_in_session(url, "agent1@parley.example", DEMO_PASSWORD)
    assert "Connecting" in session.get(f"{url}/desktop/", timeout=10).text
    client = RecordingClient(url, cookie_header(session)).connect()
    assert client.wait_for_event("welcome")[0]["user"]["name"] == "Alex Agent"
    client.disconnect()

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert process.wait(20) == 0 or process.returncode == 130
    assert wait_for(lambda: not group_alive(process.pid), timeout=20), "a child process was left running"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=1)
