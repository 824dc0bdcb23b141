"""The app a job runs in: jobs need the database, Redis and Socket.IO wired as the web app has them."""

import functools
import logging

from rq import get_current_job

from app import create_app
from app.observability import logs

_state = {"app": None}


def bind(app):
    """Use `app` for jobs run in this process (the embedded worker binds the web app)."""
    _state["app"] = app


def app_context():
    if _state["app"] is None:
        _state["app"] = create_app()  # also sets up logging (app/observability/logs.py)
    return _state["app"].app_context()


def _idle(outcome):
    """Nothing done: a count of 0, an empty list, or a dict of such (None is a job that reports nothing)."""
    if isinstance(outcome, dict):
        return all(_idle(value) for value in outcome.values())
    return outcome in (0, [], ())


def job(func):
    """A job function run inside the app; what it returns is kept as the job's `outcome` meta and logged.
    Its log lines name the job, and the interaction or account it was given."""
    log = logging.getLogger(func.__module__)

    @functools.wraps(func)
    def run(*args, **kwargs):
        current = get_current_job()
        context = {
            "job_id": current.id if current is not None else None,
            "interaction": kwargs.get("interaction_id"),
            "account": kwargs.get("account_id"),
        }
        with app_context(), logs.bound(**context):
            outcome = func(*args, **kwargs)
            if current is not None:
                # A periodic job that found nothing to do says so at debug level: no line every 5 s.
                log.log(logging.DEBUG if _idle(outcome) else logging.INFO, "%s: %s", func.__name__, outcome)
        if current is not None:
            current.meta["outcome"] = outcome
            current.save_meta()
        return outcome

    return run
