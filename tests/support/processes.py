"""Parley's own processes started by tests: their output in a file, in a session of their own (to signal the group)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from tools.devstack import free_port

ROOT = Path(__file__).resolve().parents[2]


def start(args, env, log_path):
    """`python <args>` in the checkout with `env`, writing stdout and stderr to `log_path`."""
    with Path(log_path).open("w") as log:
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def children(pid):
    """The ids of the processes whose parent is `pid` (an RQ worker's forked work horse)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class WebProcess:
    """`python wsgi.py` on the Redis at `redis_url`, with the embedded database and workers, the demo data and
    `settings` (environment variables)."""

    def __init__(self, tmp_path, mode, redis_url, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "server.log"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PARLEY_CONFIG", "MONGO_URI", "SECRET_KEY")}
        env.update(
            REDIS_URL=redis_url,
            PARLEY_PORT=str(self.port),
            PARLEY_ASYNC_MODE=mode,
            PARLEY_SEED_DEMO="1",
            PARLEY_INSTANCE_DIR=str(tmp_path),
            PYTHONUNBUFFERED="1",
            **settings,
        )
        self.process = start(["wsgi.py"], env, self.log_path)

    def up(self):
        """Ready: the database, Redis and the embedded workers (/readyz)."""
        try:
            return requests.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    @property
    def log(self):
        return self.log_path.read_text()

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class WorkerProcess:
    """Parley's worker in a process of its own (tests/support/worker_process.py) on `queue_names`."""

    def __init__(self, redis_url, log_path, *queue_names):
        env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_CONFIG": "testing", "PYTHONUNBUFFERED": "1"}
        self.log_path = Path(log_path)
        self.process = start(["-m", "tests.support.worker_process", *queue_names], env, log_path)

    @property
    def log(self):
        return self.log_path.read_text()

    def kill(self):
        """SIGKILL the worker and its work horse (which has a process group of its own)."""
        for pid in [*children(self.process.pid), self.process.pid]:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.kill()
