"""Log lines: readable text in development, one JSON object per line in production, both with
what the line is about (request id, account, interaction, job id) where it is known.

The context lives in contextvars: the request's WSGI middleware (app/web/request_ids.py) runs
each request in a copy of the context, so what a request binds ends with it; the job wrapper
(workers/context.py) binds the job's id and its interaction or account for the job's run. Each
greenlet (eventlet, gevent) and thread has a context of its own, so concurrent requests never
see each other's values. A line names ids, never content: no message text, no secret (the
webhook and send paths log neither; tests/foundation/test_json_logs.py drives both and checks).
"""

import contextlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

from rq import get_current_job

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [job %(job_id)s] %(message)s"
#: What a line may say it is about, bound by requests and jobs.
CONTEXT = {name: ContextVar(f"parley_log_{name}", default=None) for name in ("request_id", "account", "interaction", "job_id")}


def bind(**fields):
    """Set these context fields (see CONTEXT) until the enclosing request or `bound` block ends."""
    for name, value in fields.items():
        if value is not None:
            CONTEXT[name].set(str(value))


@contextlib.contextmanager
def bound(**fields):
    """Set these context fields for the block only."""
    tokens = [(CONTEXT[name], CONTEXT[name].set(str(value))) for name, value in fields.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Sets the context fields on each record the handler writes. The job id falls back to RQ's
    running job (kept per thread), so RQ's own lines around a job name it too; "-" outside jobs."""

    def filter(self, record):
        for name, var in CONTEXT.items():
            setattr(record, name, var.get())
        if record.job_id is None:
            job = get_current_job()
            record.job_id = job.id if job else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context fields
    that are known, and the exception's traceback when there is one."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT:
            value = getattr(record, name, None)
            if value not in (None, "-"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _Stderr(logging.StreamHandler):
    """Writes to sys.stderr as it is at each line (a test runner swaps it between tests)."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def handler(stream=None, json_lines=False):
    """A handler writing JSON lines or TEXT_FORMAT lines with the context; to stderr unless given a stream."""
    made = logging.StreamHandler(stream) if stream is not None else _Stderr()
    made.addFilter(ContextFilter())
    made.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    return made


def install(json_lines=False):
    """Log through one handler on the root logger (once per process: the first app's format
    wins), `workers.*` and the retention's records (its purges, the erasures' audit lines) from INFO
    up, everything else from WARNING. `rq worker`'s own handler stops passing lines up (create_app
    takes Flask's off): those lines reach the root handler, with the context, once."""
    root = logging.getLogger()
    if any(isinstance(f, ContextFilter) for h in root.handlers for f in h.filters):
        return
    root.addHandler(handler(json_lines=json_lines))
    for name in ("workers", "app.services.retention"):
        logging.getLogger(name).setLevel(logging.INFO)
    rq_worker = logging.getLogger("rq.worker")
    rq_worker.propagate = not rq_worker.handlers
