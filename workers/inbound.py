"""Applying accepted webhook events: one customer's inbox at a time (app/services/channel/drain.py),
and the periodic sweep that drains inboxes whose worker died or whose job was lost."""

from flask import current_app

from app import jobs
from app.services.channel import drain, inbox
from workers.context import job


@job
def drain_inbox(key: str, attempt: int = 1):
    return drain.drain(key, attempt, current_app.config["PARLEY_INBOUND_REORDER_MS"])


@job
def sweep_inboxes():
    """Enqueue a drain for every inbox with events but no queued drain and no live lock."""
    stranded = inbox.stranded()
    for key in stranded:
        if inbox.mark(key):
            jobs.enqueue(jobs.DRAIN_INBOX, key=key, attempt=1)
    return len(stranded)
