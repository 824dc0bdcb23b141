"""Queueing again the work a failure left waiting with no job (the periodic `reconcile` job).

A send or a download is queued by whatever stored its message. If Redis was down at that
moment, if the job was lost, or if its worker died mid-call (RQ then marks the job abandoned
and never runs it again), the message would wait forever. Every minute the reconciler looks
for what has waited longer than PARLEY_RECONCILE_AFTER_SECONDS with no job that will run it,
and queues it again, under the job id it would have had.

A send is never sent twice by this: delivery claims a message before calling the provider
(`sending_at`) and skips a message that is no longer `queued`. What remains is a worker that
dies after the provider accepted the message and before it was marked sent: its claim expires
and the message goes out a second time (Meta has no idempotency key for sends).

Other finders of stuck work join with one line in FINDERS.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from app import jobs, queues
from app.services import clock
from app.services.assistant import recovery
from app.services.campaigns import recovery as campaign_recovery
from app.services.conversations import delivery, message_store

log = logging.getLogger(__name__)

#: A message the reconciler queued this many times and still not sent is marked failed.
MAX_REQUEUES = 3
GAVE_UP = {
    "code": "not_confirmed",
    "title": "Not sent",
    "user_message": "Parley could not confirm this message was sent after several tries. You can press Retry to send it again.",
}
_WAITING = {"queued", "scheduled", "deferred"}
#: Longer than any download job runs (RQ's default job timeout, 180 s, in a worker process).
MEDIA_JOB_SECONDS = 360


def stuck_sends(older_than):
    """Outbound messages stored before `older_than` that still wait to be sent: status `queued`,
    not held for re-authorization, no provider id, and no live claim by a worker.

    Returns [(interaction id, message)]; one indexed query (the partial index of queued sends)."""
    waiting = message_store.queued_sends(older_than)
    return [
        (message["interaction_id"], message)
        for message in waiting
        if not message.get("held") and not message.get("provider_message_id") and not delivery.claim_is_fresh(message)
    ]


def stuck_media(older_than):
    """Customers' messages received before `older_than` whose attachment is still `pending`.

    Returns [(interaction id, message)]; one indexed query (the partial index of pending media)."""
    return [(message["interaction_id"], message) for message in message_store.pending_media(older_than)]


def _job_will_run(job_id, queue_name, runs_at_most):
    """Whether the job waits to run, or runs in a worker that may still be alive (it started
    less than `runs_at_most` seconds ago). A dead worker's job is taken off RQ's registries."""
    connection = queues.get_redis()
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status in _WAITING:
        return True
    if status == "started":
        started = job.started_at and (job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=UTC))
        if started and started > clock.now() - timedelta(seconds=runs_at_most):
            return True
        StartedJobRegistry(queue_name, connection=connection).remove_executions(job)
    FailedJobRegistry(queue_name, connection=connection).remove(job)
    return False


def _next_send_attempt(message):
    return (message.get("retry") or {}).get("attempt", 0) + 1


def ensure_send(interaction_id, message):
    """Queue the message's send unless a job will run it or it no longer waits; True when queued.
    (An agent's retry with the same client id comes here: its first queueing may have failed.)"""
    if message.get("status") != "queued" or message.get("held") or message.get("provider_message_id"):
        return False
    if delivery.claim_is_fresh(message):
        return False
    attempt = _next_send_attempt(message)
    job_id = jobs.SEND_MESSAGE.job_id({"message_id": message["id"], "attempt": attempt})
    if _job_will_run(job_id, jobs.SEND_MESSAGE.queue, delivery.CLAIM_SECONDS):
        return False
    delivery.enqueue_delivery(interaction_id, message["id"], attempt)
    return True


def requeue_sends(older_than):
    """Queue again every stuck send; one queued MAX_REQUEUES times already is marked failed."""
    count = 0
    for interaction_id, message in stuck_sends(older_than):
        if message.get("requeued", 0) >= MAX_REQUEUES:
            delivery.give_up({"_id": interaction_id}, message, GAVE_UP)
            log.warning("send of message %s given up after %s re-queues", message["id"], MAX_REQUEUES)
            continue
        if ensure_send(interaction_id, message):
            key = {"interaction_id": interaction_id, "id": message["id"]}
            message_store.update(key, {"requeued": message.get("requeued", 0) + 1})
            count += 1
    return count


def requeue_media(older_than):
    """Queue again the download of every attachment stuck `pending` with no job (a pending
    attachment waits for its first attempt: a failed one is `failed` until its retry runs)."""
    count = 0
    for interaction_id, message in stuck_media(older_than):
        job_id = jobs.FETCH_MEDIA.job_id({"message_id": message["id"], "attempt": 1})
        if not _job_will_run(job_id, jobs.FETCH_MEDIA.queue, MEDIA_JOB_SECONDS):
            jobs.enqueue(jobs.FETCH_MEDIA, interaction_id=str(interaction_id), message_id=message["id"], attempt=1)
            count += 1
    return count


#: Finders of stuck work: each takes the cutoff (work older than it is stuck) and returns how
#: many it queued again.
FINDERS: list[Callable[[datetime], int]] = [
    requeue_sends, requeue_media, recovery.requeue_answers, campaign_recovery.resume_campaigns,
    campaign_recovery.start_due_campaigns,
]


def reconcile(after_seconds):
    """Run every finder on work waiting longer than `after_seconds`; {finder name: how many queued}."""
    older_than = clock.now() - timedelta(seconds=after_seconds)
    done = {finder.__name__: finder(older_than) for finder in FINDERS}
    if any(done.values()):
        log.warning("reconciler queued again: %s", done)
    return done
