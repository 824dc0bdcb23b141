"""Periodic housekeeping jobs (listed in workers/periodic.py)."""

from flask import current_app

from app.services.conversations import reconcile as reconciler
from app.services.conversations import routing, window_expiry
from app.services.retention import purge
from app.services.retention.policy import Retention
from app.services.routing import time_rules
from workers.context import job


@job
def expire_windows():
    return window_expiry.expire_windows()


@job
def reoffer_rejected():
    return routing.reoffer_rejected(current_app.config["PARLEY_REOFFER_AFTER_SECONDS"])


@job
def reconcile():
    return reconciler.reconcile(current_app.config["PARLEY_RECONCILE_AFTER_SECONDS"])


@job
def check_inactivity():
    return time_rules.check()


@job
def purge_expired():
    """Delete what the retention settings no longer keep (app/services/retention/purge.py)."""
    return purge.run(Retention(**current_app.config["PARLEY_RETENTION"]))
