"""The RQ worker, its scheduler and the periodic jobs as background threads of the web process.

Used only with the embedded database, which lives in this process's memory: jobs must run
here to see it. Redis and RQ are real; only the process is shared. Jobs run in the worker's
thread (SimpleWorker: no fork, which would copy the in-memory database and lose its writes),
and signal handlers and SIGALRM timeouts are left out because they only work in the main thread.
"""

import logging
import threading
import time

from rq import SimpleWorker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from rq.timeouts import BaseDeathPenalty

from app.queues import QUEUE_NAMES, get_redis
from workers.context import bind
from workers.periodic import register_all

log = logging.getLogger(__name__)


class _NoDeathPenalty(BaseDeathPenalty):
    """Job timeouts need SIGALRM, which only the main thread can receive; provider calls
    carry their own HTTP timeouts instead."""

    def setup_death_penalty(self):
        pass

    def cancel_death_penalty(self):
        pass


class ThreadWorker(SimpleWorker):
    death_penalty_class = _NoDeathPenalty

    def _install_signal_handlers(self):
        pass


def _run_scheduler(connection, stop):
    scheduler = RQScheduler(QUEUE_NAMES, connection=connection)
    while not stop.is_set():
        try:
            scheduler.acquire_locks()
            scheduler.enqueue_scheduled_jobs()
        except Exception:  # keep the thread alive across Redis outages
            log.exception("embedded scheduler: cycle failed; retrying")
        stop.wait(1)


def _run_cron(connection, stop):
    cron = CronScheduler(connection=connection)
    register_all(cron.register)
    while not stop.is_set():
        try:
            cron.enqueue_jobs()
            wait = cron.calculate_sleep_interval()
        except Exception:
            log.exception("embedded cron: cycle failed; retrying")
            wait = 5
        stop.wait(min(max(wait, 0.5), 5))


def _run_worker(connection, stop):
    while not stop.is_set():
        try:
            worker = ThreadWorker(list(QUEUE_NAMES), connection=connection)
            worker.work(burst=False, max_idle_time=None, logging_level="WARNING")
        except Exception:
            log.exception("embedded worker stopped; restarting")
        if not stop.is_set():
            time.sleep(1)


def start(app):
    """Start the worker, scheduler and cron threads; returns the Event that stops them."""
    bind(app)
    stop = threading.Event()
    connection = get_redis()
    for target in (_run_worker, _run_scheduler, _run_cron):
        threading.Thread(target=target, args=(connection, stop), name=f"parley-{target.__name__[5:]}", daemon=True).start()
    log.warning("Embedded RQ worker, scheduler and periodic jobs running in this process (queues: %s)", ", ".join(QUEUE_NAMES))
    return stop
