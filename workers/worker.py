"""Worker entry point for production: `python -m workers.worker` (all queues, with the scheduler).

Run it next to `rq cron workers/cron.py`. With the embedded database the web process runs the
worker itself (see workers/embedded.py), since that database lives in one process.
"""

import sys

from rq import Worker

from app import create_app
from app.queues import QUEUE_NAMES, WORKER_TTL_SECONDS, worker_redis
from workers.context import bind


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or list(QUEUE_NAMES)
    app = create_app()
    if app.config["PARLEY_EMBEDDED_DB"]:
        sys.exit("the embedded database lives in the web process: its worker runs there (set MONGO_URI for separate workers)")
    run(app, names)


def run(app, names, burst=False):
    """Work the queues `names` with `app`; each job runs in a forked work horse, which opens its own
    database client on first use (see app.db)."""
    bind(app)
    Worker(names, connection=worker_redis(), worker_ttl=WORKER_TTL_SECONDS).work(with_scheduler=True, burst=burst)


if __name__ == "__main__":
    main()
