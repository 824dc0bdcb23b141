"""The local stack behind `make run` and `make test`: a throwaway redis-server on a free
loopback port (unless REDIS_URL is set), then the portal or pytest, and a clean stop.

    python -m tools.devstack run          # portal with demo data at http://127.0.0.1:5000
    python -m tools.devstack test [ARGS]  # pytest ARGS against a fresh Redis
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import redis


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server child process that keeps nothing on disk, or with ``appendonly`` an AOF in
    its own directory, kept across ``restart()`` as production's Redis keeps it."""

    def __init__(self, port=None, appendonly=False):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.appendonly = appendonly
        self.process = None
        self.workdir = None

    def start(self, timeout=10):
        binary = shutil.which("redis-server")
        if not binary:
            sys.exit("redis-server is not installed: run `apt-get install redis-server` (make run/test do it as root)")
        self.workdir = self.workdir or tempfile.mkdtemp(prefix="parley-redis-")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--appendfsync",
                "always",
                "--dir",
                self.workdir,
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with code {self.process.returncode}") from None
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def kill(self):
        """Stop the server abruptly (SIGKILL): what it keeps is what its AOF already holds."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self):
        self.kill()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _stop_all(children):
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(45)  # a web process lets its embedded workers finish (PARLEY_STOP_GRACE_SECONDS, 30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_portal(env):
    env.setdefault("PARLEY_SEED_DEMO", "1")
    mongo = env.get("MONGO_URI", "mongomock://localhost/parley")
    children = [subprocess.Popen([sys.executable, "wsgi.py"], env=env)]
    if not mongo.startswith("mongomock://"):
        # A real database: the worker and the periodic jobs run as their own processes.
        children.append(subprocess.Popen([sys.executable, "-m", "workers.worker"], env=env))
        rq = os.path.join(os.path.dirname(sys.executable), "rq")
        children.append(subprocess.Popen([rq, "cron", "workers/cron.py", "--url", env["REDIS_URL"]], env=env))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping Parley…", flush=True)
    finally:
        _stop_all(children)
    return next((c.returncode for c in children if c.returncode not in (None, 0, -signal.SIGTERM)), 0)


def run_tests(env, args):
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(argv):
    if not argv or argv[0] not in ("run", "test"):
        sys.exit(__doc__)
    env = dict(os.environ)
    server = None
    if not env.get("REDIS_URL"):
        server = RedisServer().start()
        env["REDIS_URL"] = server.url
        print(f"redis-server started on {server.url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if argv[0] == "run":
            return run_portal(env)
        env.setdefault("PARLEY_CONFIG", "testing")
        return run_tests(env, argv[1:])
    except KeyboardInterrupt:
        return 130
    finally:
        if server:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
