"""Job functions used only by tests (importable by the embedded worker, which shares the process)."""

from app import jobs, queues
from workers.system import record_probe


def fail_once_then_record(probe_id):
    """Fails on its first run, records a probe on its retry: proves retries with an interval work."""
    attempts = queues.get_redis().incr(f"test:attempts:{probe_id}")
    if attempts == 1:
        raise RuntimeError("first attempt fails on purpose")
    return record_probe(probe_id)


def run_inbound(app, queue_names=("inbound", "sentiment")):
    """Run the queued jobs of ``queue_names`` here and now, with a real RQ worker in burst mode (as
    the embedded worker would run them): an accepted webhook's events are applied by then, and
    their messages' sentiment scored.

    Returns the drain jobs' outcomes added up (stored, duplicate, applied, …).
    """
    from collections import Counter

    from workers.context import bind
    from workers.embedded import ThreadWorker

    outcomes = Counter()

    class BurstWorker(ThreadWorker):  # no SIGALRM (tests may run off the main thread), no signal handlers
        def perform_job(self, job, queue):
            done = super().perform_job(job, queue)
            job.refresh()
            outcome = job.meta.get("outcome")
            if job.func_name == jobs.DRAIN_INBOX.func and isinstance(outcome, dict):
                outcomes.update(outcome.get("applied") or {})
            return done

    bind(app)
    BurstWorker(list(queue_names), connection=queues.worker_redis()).work(burst=True, logging_level="WARNING")
    return dict(outcomes)
