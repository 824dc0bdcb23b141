"""Several Parley processes on one Redis behind nginx, as deploy/nginx/parley.conf runs them.

`Cluster` starts two web processes (`web1`, `web2`: tests/support/cluster_node.py, wsgi.py's server
in gevent mode), one worker process and nginx with the production config rendered for free
loopback ports (the same upstream, stickiness and failover rules; only addresses change).
"""

import os
import secrets
import shutil
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.support import processes
from tests.support.sockets import RecordingClient, wait_for
from tools.devstack import RedisServer, free_port

NGINX_CONF = processes.ROOT / "deploy" / "nginx" / "parley.conf"
NGINX = "/usr/sbin/nginx"


def up(url):
    try:
        return requests.get(f"{url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


class Node:
    """One process of the cluster (`role`: web or worker); start() again after it stopped is a restart."""

    def __init__(self, name, role, env, log_dir):
        self.name = name
        self.role = role
        self.port = free_port() if role == "web" else None
        self.url = f"http://127.0.0.1:{self.port}" if self.port else None
        self.env = {**env, "PARLEY_PORT": str(self.port or 0)}
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        with self.log_path.open("a") as log:
            log.write(f"--- start {self.starts}\n")
        self.process = processes.start(["-m", "tests.support.cluster_node", self.role], self.env, self.log_path)
        return self

    def ready(self, timeout=60):
        if self.role == "web":
            ok = wait_for(lambda: up(self.url) or self.process.poll() is not None, timeout) and up(self.url)
        else:
            ok = wait_for(lambda: "cluster worker: ready" in self.log, timeout)
        assert ok, f"{self.name} did not start:\n{self.log}"
        return self

    @property
    def log(self):
        return self.log_path.read_text()

    def terminate(self, timeout=60):
        """SIGTERM, then the exit code once the process ended."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Nginx:
    """nginx in the foreground with deploy/nginx/parley.conf, its upstreams and port replaced."""

    def __init__(self, workdir, backends):
        if not os.access(NGINX, os.X_OK):
            raise RuntimeError("nginx is not installed: run `make proxy-deps` (Debian's nginx package)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(workdir) / "nginx"
        self.workdir.mkdir()
        site = NGINX_CONF.read_text()
        replacements = {"listen 80;": f"listen 127.0.0.1:{self.port};"}
        replacements.update({f"server {name}:5000 ": f"server 127.0.0.1:{port} " for name, port in backends.items()})
        for old, new in replacements.items():
            assert site.count(old) == 1, f"deploy/nginx/parley.conf no longer has exactly one {old!r}"
            site = site.replace(old, new)
        (self.workdir / "parley.conf").write_text(site)
        temp = {name: self.workdir / name for name in ("client_body", "proxy")}
        for path in temp.values():
            path.mkdir()
        (self.workdir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.workdir}/nginx.pid;\nerror_log {self.workdir}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  log_format routes '$cookie_parley_route $status $request_method $uri $upstream_addr';\n"
            f"  access_log {self.workdir}/access.log routes;\n"
            f"  client_body_temp_path {temp['client_body']};\n  proxy_temp_path {temp['proxy']};\n"
            f"  include {self.workdir}/parley.conf;\n}}\n"
        )
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "stderr.log").open("w"),
            start_new_session=True,
        )
        assert wait_for(self._listening, timeout=10), self.errors
        return self

    def _listening(self):
        try:
            requests.get(f"{self.url}/nginx-probe", timeout=0.5)
            return True
        except requests.ConnectionError:
            return False

    def upstream_of(self, route):
        """The upstream address (the last one tried) of the last request logged with the route cookie
        `route` (nginx logs a request just after its answer: the first may take a moment)."""

        def last():
            lines = [line.split() for line in (self.workdir / "access.log").read_text().splitlines()]
            return next((fields[-1] for fields in reversed(lines) if fields[0] == route), None)

        found = wait_for(last, timeout=5)
        assert found, f"nginx logged no request with the route cookie {route}"
        return found

    def requests_to(self, port):
        """How many requests nginx has passed to the upstream on `port` (the last one tried of each)."""
        lines = (self.workdir / "access.log").read_text().splitlines()
        return sum(1 for line in lines if line.rsplit(None, 1)[-1] == f"127.0.0.1:{port}")

    @property
    def errors(self):
        return "\n".join(
            (self.workdir / name).read_text() for name in ("stderr.log", "error.log") if (self.workdir / name).exists()
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.workdir, ignore_errors=True)


class Cluster:
    """web1, web2 and a worker on `redis_url`, nginx in front; `settings` go to every process."""

    def __init__(self, tmp_path, redis_url, **settings):
        env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URI", "SECRET_KEY", "PARLEY_SECRET_KEY_FILE")}
        env.update(
            REDIS_URL=redis_url,
            PARLEY_CONFIG="development",
            PARLEY_ASYNC_MODE="gevent",
            PARLEY_EMBEDDED_WORKER="0",  # the worker process works the queues, as in production
            SECRET_KEY=secrets.token_urlsafe(48),  # one key for all: a session from one process is valid on the other
            PARLEY_PROXY_COUNT="1",
            PARLEY_INSTANCE_DIR=str(tmp_path),
            PARLEY_ARGON2_TIME_COST="1",
            PARLEY_ARGON2_MEMORY_KIB="1024",
            PYTHONUNBUFFERED="1",
            **settings,
        )
        self.webs = {name: Node(name, "web", env, tmp_path) for name in ("web1", "web2")}
        self.worker = Node("worker", "worker", env, tmp_path)
        self.nginx = Nginx(tmp_path, {name: node.port for name, node in self.webs.items()})

    def start(self):
        for node in [*self.webs.values(), self.worker]:
            node.start()
        for node in [*self.webs.values(), self.worker]:
            node.ready()
        self.nginx.start()
        return self

    def stop(self):
        self.nginx.stop()
        for node in [*self.webs.values(), self.worker]:
            node.kill()

    def logs(self):
        return "\n".join(f"=== {node.name}\n{node.log}" for node in [*self.webs.values(), self.worker]) + self.nginx.errors

    def node_of(self, session):
        """The web process nginx sent `session`'s last request to (by its route cookie)."""
        ports = {str(node.port): name for name, node in self.webs.items()}
        return ports[self.nginx.upstream_of(session.cookies["parley_route"]).rsplit(":", 1)[1]]


@contextmanager
def running(tmp_path, **settings):
    """A started Cluster on a Redis of its own, stopped (every process killed) at the end."""
    with RedisServer() as redis_server:
        cluster = Cluster(tmp_path, redis_server.url, **settings)
        try:
            yield cluster.start()
        finally:
            cluster.stop()


def socket_client(url, session, reconnection=False):
    """A Socket.IO client at `url` with a copy of `session`'s cookies on every request, as a browser's."""
    browser = requests.Session()
    browser.cookies.update(session.cookies)
    return RecordingClient(url, http_session=browser, reconnection=reconnection).connect()
