"""Applying accepted webhook events (app/services/channel/drain.py), and the periodic sweep that
starts a drain when events wait and no drain is queued or holds them (a worker died, a job was lost)."""

from flask import current_app

from app import jobs
from app.observability import shared as shared_metrics
from app.services.channel import drain, inbox
from workers.context import job


@job
def drain_inbox(attempt: int = 1):
    config = current_app.config
    result = drain.drain(config["PARLEY_INBOUND_REORDER_MS"], attempt, slice_seconds=config["PARLEY_INBOUND_SLICE_MS"] / 1000)
    shared_metrics.add("inbound_events", {(outcome,): n for outcome, n in result["applied"].items()})
    return result


@job
def sweep_inboxes():
    """Enqueue a drain when some customer's events wait with no drain queued and no live lock;
    returns how many such customers there were."""
    stranded = inbox.stranded()
    if stranded and inbox.mark():
        jobs.enqueue(jobs.DRAIN_INBOX, attempt=1)
    return len(stranded)
