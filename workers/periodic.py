"""Periodic jobs, defined once: `rq cron workers/cron.py` runs them in production and the
embedded scheduler thread runs the same list when the database is in-process."""

from dataclasses import dataclass, field

from app import jobs


@dataclass(frozen=True)
class PeriodicJob:
    job: jobs.Job  # its name is the stable id: re-registering at every start is harmless
    interval: int  # seconds
    kwargs: dict = field(default_factory=dict)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(jobs.EXPIRE_WINDOWS, 60),
    PeriodicJob(jobs.REOFFER_REJECTED, 60),
    PeriodicJob(jobs.RECONCILE, 60),
    PeriodicJob(jobs.SWEEP_INBOXES, 60),
    PeriodicJob(jobs.ROUTING_TICK, 5),
    PeriodicJob(jobs.DISPATCH_OPENED_QUEUES, 60),
    PeriodicJob(jobs.CHECK_INACTIVITY, 30),
    PeriodicJob(jobs.PURGE_EXPIRED, 600),
]


def register_all(register):
    """Call `register(func, queue_name, interval=..., name=..., kwargs=...)` for every periodic job."""
    for periodic in PERIODIC_JOBS:
        job = periodic.job
        register(jobs.resolve(job), job.queue, interval=periodic.interval, name=job.name, kwargs=periodic.kwargs)
