"""Every log line written while a job runs carries the job's id, in every kind of worker.

RQ keeps the running job per thread (`get_current_job`), so the embedded worker's threads and
`rq worker` processes alike name the right job; lines outside a job show "-".
"""

import logging
import sys

from flask.logging import default_handler
from rq import get_current_job

FORMAT = "%(asctime)s %(levelname)s %(name)s [job %(job_id)s] %(message)s"


class JobIdFilter(logging.Filter):
    """Sets `job_id` on each record the handler writes: the running job's id, or "-"."""

    def filter(self, record):
        job = get_current_job()
        record.job_id = job.id if job else "-"
        return True


class _Stderr(logging.StreamHandler):
    """Writes to sys.stderr as it is at each line (a test runner swaps it between tests)."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def handler(stream=None):
    """A handler writing lines in FORMAT, with the job id; to stderr unless given a stream."""
    made = logging.StreamHandler(stream) if stream is not None else _Stderr()
    made.addFilter(JobIdFilter())
    made.setFormatter(logging.Formatter(FORMAT))
    return made


def install():
    """Log through one FORMAT handler on the root logger (once per process), `workers.*` from INFO up.

    The handlers Flask and `rq worker` put on their own loggers come off or stop passing lines
    up: those lines reach the root handler, with the id, once."""
    root = logging.getLogger()
    if any(isinstance(f, JobIdFilter) for h in root.handlers for f in h.filters):
        return
    root.addHandler(handler())
    logging.getLogger("workers").setLevel(logging.INFO)
    logging.getLogger("app").removeHandler(default_handler)
    rq_worker = logging.getLogger("rq.worker")
    rq_worker.propagate = not rq_worker.handlers
