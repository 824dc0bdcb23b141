"""The RQ workers, their scheduler and the periodic jobs as background threads of the web process.

Used only with the embedded database, which lives in this process's memory: jobs must run
here to see it. Redis and RQ are real; only the process is shared. Each queue has its own
worker thread (outbound two), so a provider that never answers holds one send, not the media,
inbound and maintenance work behind it: as separate `rq worker <queue>` processes would. Jobs
run in their worker's thread (SimpleWorker: no fork, which would copy the in-memory database
and lose its writes; the database's write lock in app/db.py makes each write atomic across the
threads), and signal handlers and SIGALRM timeouts are left out because they only work in the
main thread: provider calls carry bounded HTTP timeouts instead (app/providers/http.py).
"""

import logging
import threading
import time

import redis
from rq import SimpleWorker
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler
from rq.timeouts import BaseDeathPenalty

from app.extensions import EMBEDDED_WORKER
from app.queues import QUEUE_NAMES, worker_redis
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
    """Waits at most `dequeue_timeout` seconds (a second unless PARLEY_EMBEDDED_POLL_SECONDS says
    otherwise) for a job, so it notices `stop_event` promptly, even while Redis is down (RQ's own
    wait for Redis would retry forever)."""

    death_penalty_class = _NoDeathPenalty
    dequeue_timeout = 1
    stop_event = None
    _waiting = False

    def _install_signal_handlers(self):
        pass

    def _stopping(self):
        return self.stop_event is not None and self.stop_event.is_set()

    def unsubscribe(self):
        """RQ unsubscribes from the worker's command channel and then stops the thread listening to
        it: when the answer to the unsubscribe comes in between, that thread waits for the next
        message (up to a minute) and the stop waits a second for it. Stopped first, the thread ends
        on that answer."""
        if self.pubsub_thread:
            self.pubsub_thread.stop()
        super().unsubscribe()

    def heartbeat(self, *args, **kwargs):
        try:
            return super().heartbeat(*args, **kwargs)
        except redis.exceptions.ConnectionError:
            if self._waiting and self._stopping():
                raise StopRequested() from None  # waiting for Redis between jobs: RQ's work loop ends on it
            raise

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        """Wait for a job in one-second slices; None (the worker ends) once asked to stop, or
        when the queues are empty in burst mode."""
        self._waiting = True
        try:
            while not self._stopping():
                result = super().dequeue_job_and_maintain_ttl(timeout, max_idle_time=self.dequeue_timeout)
                if result is not None or timeout is None:
                    return result
            return None
        finally:
            self._waiting = False


def _run_scheduler(connection, stop):
    scheduler = RQScheduler(QUEUE_NAMES, connection=connection)
    while not stop.is_set():
        try:
            scheduler.acquire_locks()
            scheduler.enqueue_scheduled_jobs()
        except Exception:  # keep the thread alive across Redis outages
            log.exception("embedded scheduler: cycle failed; retrying")
        stop.wait(1)
    scheduler.release_locks()


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


#: Worker threads per queue: two sends may wait on slow providers at once.
THREADS_PER_QUEUE = {"outbound": 2}


def _run_worker(connection, stop, queue_name, poll_seconds=1):
    while not stop.is_set():
        try:
            worker = ThreadWorker([queue_name], connection=connection)
            worker.stop_event = stop
            worker.dequeue_timeout = poll_seconds
            worker.work(burst=False, max_idle_time=None, logging_level="WARNING")
        except Exception:
            log.exception("embedded worker stopped; restarting")
        if not stop.is_set():
            time.sleep(1)


class EmbeddedWorker:
    """The running threads; `stop()` ends them (each worker finishes the job in hand first)."""

    def __init__(self, threads, stop_event):
        self.threads = threads
        self.stop_event = stop_event

    def stopped_threads(self):
        """The names of the threads that ended (all of them once stopped): readiness reads it."""
        return [thread.name for thread in self.threads if not thread.is_alive()]

    def stop(self, timeout=10):
        """Stop taking jobs and wait at most `timeout` seconds in all; True when every thread ended."""
        self.stop_event.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self.threads)


def _threads(connection, stop, poll_seconds=1):
    workers = [
        threading.Thread(
            target=_run_worker, args=(connection, stop, name, poll_seconds), name=f"parley-worker-{name}-{n + 1}", daemon=True
        )
        for name in QUEUE_NAMES
        for n in range(THREADS_PER_QUEUE.get(name, 1))
    ]
    helpers = [
        threading.Thread(target=target, args=(connection, stop), name=f"parley-{target.__name__[5:]}", daemon=True)
        for target in (_run_scheduler, _run_cron)
    ]
    return workers + helpers


def start(app):
    """Start a worker thread per queue (see THREADS_PER_QUEUE), the scheduler and cron threads."""
    bind(app)
    stop = threading.Event()
    threads = _threads(worker_redis(), stop, app.config["PARLEY_EMBEDDED_POLL_SECONDS"])
    for thread in threads:
        thread.start()
    log.warning("Embedded RQ workers, scheduler and periodic jobs running in this process (queues: %s)", ", ".join(QUEUE_NAMES))
    app.extensions[EMBEDDED_WORKER] = EmbeddedWorker(threads, stop)
    return app.extensions[EMBEDDED_WORKER]
