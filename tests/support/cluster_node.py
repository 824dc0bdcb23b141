"""One process of the test cluster, on the embedded database seeded with tests/support/cluster_data.py.

    python -m tests.support.cluster_node web      # wsgi.py's server (its patching, app and serve())
    python -m tests.support.cluster_node worker   # Parley's RQ workers, scheduler and cron

`web` is the production entry point after the seeding: the same monkey-patching first, then
wsgi.serve() with its SIGTERM handling. `worker` runs the RQ workers in threads (workers/embedded.py)
rather than `python -m workers.worker`: that command refuses the embedded database, because its
forked work horses would each get a copy of the database and lose what they write. SIGTERM stops
the worker after the jobs in hand (at most PARLEY_STOP_GRACE_SECONDS) and exits 0.
"""

import sys

from config import async_mode

ROLE = sys.argv[1] if __name__ == "__main__" and len(sys.argv) > 1 else None
if ROLE == "web" and async_mode() == "gevent":
    from gevent import monkey

    monkey.patch_all()

import logging  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402


def serve_web():
    import wsgi
    from tests.support import cluster_data

    with wsgi.app.app_context():
        cluster_data.seed()
    wsgi.serve()


def run_worker():
    from app import create_app
    from tests.support import cluster_data
    from workers import embedded

    app = create_app()
    with app.app_context():
        cluster_data.seed()
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    worker = embedded.start(app)
    print("cluster worker: ready", flush=True)
    stopping.wait()
    stopped = worker.stop(app.config["PARLEY_STOP_GRACE_SECONDS"])
    print(f"cluster worker: {'stopped' if stopped else 'jobs left running'}; exiting", flush=True)
    logging.shutdown()
    sys.exit(0)


if __name__ == "__main__":
    {"web": serve_web, "worker": run_worker}[ROLE]()
