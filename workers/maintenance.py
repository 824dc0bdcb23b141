"""Periodic housekeeping jobs (listed in workers/periodic.py)."""

from app.services import routing, window_expiry
from workers.context import app_context


def expire_windows():
    with app_context():
        return window_expiry.expire_windows()


def reoffer_rejected():
    from flask import current_app

    with app_context():
        return routing.reoffer_rejected(current_app.config["PARLEY_REOFFER_AFTER_SECONDS"])
