"""Every background job in one place: its name, its queue, its job id and its function.

Call sites enqueue through here, `jobs.enqueue(jobs.SEND_MESSAGE, interaction_id=…, …)`, never
by a dotted name of their own, so a renamed job function fails a test
(tests/foundation/test_job_registry.py) rather than a job at run time. Functions are named by
their dotted path: services import this module without importing the worker code, which
imports the services.
"""

import importlib
from dataclasses import dataclass
from datetime import timedelta

from app import queues, redis_batch


@dataclass(frozen=True)
class Job:
    name: str  # stable: also the periodic job's id in `rq cron`
    queue: str
    func: str  # dotted path of the job function in workers/
    id_pattern: str | None = None  # the job id, formatted with the job's arguments; None: RQ makes one up
    timeout: int | None = None  # seconds a worker process lets the job run (RQ's default: 180)

    def job_id(self, arguments):
        return self.id_pattern.format(**arguments) if self.id_pattern else None


# One attempt: connect and read timeouts (app/providers/http.py), plus an upload for media.
SEND_MESSAGE = Job("send-message", "outbound", "workers.outbound.send_message", "send-{message_id}-{attempt}", timeout=60)
SEND_READ_RECEIPT = Job("send-read-receipt", "outbound", "workers.outbound.send_read_receipt")
# "typing…" shown to the customer while an agent types (app/services/conversations/typing_indicator.py).
SEND_TYPING_INDICATOR = Job("send-typing-indicator", "outbound", "workers.outbound.send_typing_indicator")
# New credentials saved: send what the account held while it needed re-authorization.
RELEASE_HELD = Job("release-held", "outbound", "workers.outbound.release_held", "release-held-{account_id}")
FETCH_MEDIA = Job("fetch-media", "media", "workers.media.fetch_inbound_media", "media-{message_id}-{attempt}")
# Accepted webhook events, applied in each customer's order (queued once per burst: see inbox.py).
DRAIN_INBOX = Job("drain-inbox", "inbound", "workers.inbound.drain_inbox", timeout=120)
SWEEP_INBOXES = Job("sweep-inboxes", "maintenance", "workers.inbound.sweep_inboxes")
# The AI assistant's answer to a customer's message (or its hand-over to the queue): its own queue, since
# the model may take up to PARLEY_ASSISTANT_TIMEOUT and nothing else should wait behind it.
ANSWER_CUSTOMER = Job("answer-customer", "assistant", "workers.assistant.answer_customer", "assistant-{message_id}", timeout=60)
# The interactions' sentiment from the scores their new customer messages were stored with: one job
# for a drain round's messages (see gather).
REFRESH_SENTIMENT = Job("refresh-sentiment", "sentiment", "workers.sentiment.refresh_interactions")
# A campaign's sends (app/services/campaigns/sender.py): one job per campaign at a time, its own queue,
# so that a campaign of 100,000 never delays an agent's message; it runs until paused or done.
SEND_CAMPAIGN = Job("send-campaign", "campaigns", "workers.campaigns.send_campaign", "campaign-{campaign_id}", timeout=24 * 3600)
# A scheduled campaign's start: the same job under its own id, so that it is not the running
# expansion's job that gets queued for later.
START_CAMPAIGN = Job(
    "start-campaign", "campaigns", "workers.campaigns.send_campaign", "campaign-start-{campaign_id}", timeout=24 * 3600
)
# Routing rounds (app/services/routing/dispatcher.py): who of a one-at-a-time queue's agents is offered
# each waiting interaction. Asked for by what changes the answer, and run every few seconds for the
# offers whose time ran out and the agents whose grace period ended. Their own queue: a round takes
# milliseconds and an offer must not wait behind a slow job.
ROUTE = Job("route", "routing", "workers.routing.route")
ROUTING_TICK = Job("routing-tick", "routing", "workers.routing.tick")
# What a customer waiting in a queue is told (app/services/routing/waiting.py), after their message is stored.
ANSWER_WAITING_CUSTOMER = Job("answer-waiting-customer", "inbound", "workers.waiting.answer_waiting_customer",
                              "waiting-{message_id}")
# Offer what waited in the queues whose business hours began since the last run (app/services/routing/opening.py).
DISPATCH_OPENED_QUEUES = Job("dispatch-opened-queues", "maintenance", "workers.waiting.dispatch_opened_queues")
EXPIRE_WINDOWS = Job("expire-windows", "maintenance", "workers.maintenance.expire_windows")
REOFFER_REJECTED = Job("reoffer-rejected", "maintenance", "workers.maintenance.reoffer_rejected")
# The queues' time rules: nudge and close what the customer left, flag what waits past its first-response target.
CHECK_INACTIVITY = Job("check-inactivity", "maintenance", "workers.maintenance.check_inactivity")
# Queue again what a failure left waiting with no job (app/services/conversations/reconcile.py).
RECONCILE = Job("reconcile", "maintenance", "workers.maintenance.reconcile")
# Delete what the retention settings no longer keep (app/services/retention/purge.py); a run works at most
# two minutes, the next goes on.
PURGE_EXPIRED = Job("purge-expired", "maintenance", "workers.maintenance.purge_expired", timeout=300)
# Round trips that check the job machinery itself (database, Socket.IO message queue).
RECORD_PROBE = Job("record-probe", "inbound", "workers.system.record_probe")
ANNOUNCE = Job("announce", "maintenance", "workers.system.announce")
DESCRIBE_PROCESS = Job("describe-process", "maintenance", "workers.system.describe_process")

REGISTRY = (
    SEND_MESSAGE,
    SEND_READ_RECEIPT,
    SEND_TYPING_INDICATOR,
    RELEASE_HELD,
    FETCH_MEDIA,
    DRAIN_INBOX,
    SWEEP_INBOXES,
    REFRESH_SENTIMENT,
    ANSWER_CUSTOMER,
    ANSWER_WAITING_CUSTOMER,
    DISPATCH_OPENED_QUEUES,
    SEND_CAMPAIGN,
    START_CAMPAIGN,
    ROUTE,
    ROUTING_TICK,
    EXPIRE_WINDOWS,
    REOFFER_REJECTED,
    CHECK_INACTIVITY,
    RECONCILE,
    PURGE_EXPIRED,
    RECORD_PROBE,
    ANNOUNCE,
    DESCRIBE_PROCESS,
)


def enqueue(job, delay=None, **arguments):
    """Queue `job` with its keyword `arguments` (no job takes one named `delay`), to run now or
    after `delay` seconds. Inside a Redis batch (app/redis_batch.py) a job to run now is queued
    with the batch's writes."""
    if not isinstance(job, Job):
        raise TypeError(f"enqueue a job of app.jobs, not {job!r}")
    queue = queues.get_queue(job.queue)
    job_id = job.job_id(arguments)
    if delay:
        return queue.enqueue_in(timedelta(seconds=delay), job.func, kwargs=arguments, job_id=job_id, job_timeout=job.timeout)
    batch = redis_batch.current()
    pipeline = batch.pipe if batch is not None else None
    return queue.enqueue(job.func, kwargs=arguments, job_id=job_id, job_timeout=job.timeout, pipeline=pipeline)


def waiting(job, **arguments):
    """Whether `job` with these arguments (a job with a fixed id) waits in its queue already."""
    found = queues.get_queue(job.queue).fetch_job(job.job_id(arguments))
    return found is not None and found.get_status(refresh=False) == "queued"


def gather(job, argument, item):
    """Queue `job` carrying `item` in its list argument `argument`. Inside a Redis batch, the batch
    queues one such job with every item gathered, in order, when it is flushed; outside one, the
    job is queued at once with this item."""
    batch = redis_batch.current()
    if batch is None:
        return enqueue(job, **{argument: [item]})
    items = batch.gathered.get(job)
    if items is None:
        items = batch.gathered[job] = []
        queue = queues.get_queue(job.queue)
        batch.before_flush(
            lambda: queue.enqueue(job.func, kwargs={argument: items}, job_timeout=job.timeout, pipeline=batch.pipe)
        )
    items.append(item)
    return None


def resolve(job):
    """The job's function (imports its worker module)."""
    module, _, name = job.func.rpartition(".")
    return getattr(importlib.import_module(module), name)
