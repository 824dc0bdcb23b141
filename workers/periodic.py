"""Periodic jobs, defined once: `rq cron workers/cron.py` runs them in production and the
embedded scheduler thread runs the same list when the database is in-process."""

import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # stable id: re-registering at every start is harmless
    func: str  # dotted path of the job function
    queue: str
    interval: int  # seconds
    kwargs: dict = field(default_factory=dict)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob("expire-windows", "workers.maintenance.expire_windows", "maintenance", 60),
    PeriodicJob("reoffer-rejected", "workers.maintenance.reoffer_rejected", "maintenance", 60),
]


def resolve(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def register_all(register):
    """Call `register(func, queue_name, interval=..., name=..., kwargs=...)` for every periodic job."""
    for job in PERIODIC_JOBS:
        register(resolve(job.func), job.queue, interval=job.interval, name=job.name, kwargs=job.kwargs)
