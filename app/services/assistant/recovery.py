"""The reconciler's finder for the assistant: a bot-handled interaction whose customer's latest
message has waited with no answer and no job (Redis down when it was queued, a worker that died)
gets its answer job queued again, so no customer waits in silence."""

from rq.exceptions import NoSuchJobError
from rq.job import Job

from app import jobs, queues
from app.db import get_db
from app.services.conversations import message_store

PENDING = {"queued", "scheduled", "deferred", "started"}
BATCH = 500


def _pending(job_id):
    try:
        return Job.fetch(job_id, connection=queues.get_redis()).get_status(refresh=False) in PENDING
    except NoSuchJobError:
        return False


def requeue_answers(older_than):
    """Queue again the answer of every bot-handled interaction whose latest customer message, received
    before `older_than`, has neither an answer nor a job; how many were queued."""
    count = 0
    waiting = get_db().interactions.find(
        {"status": "bot", "is_open": True, "last_inbound_at": {"$lt": older_than}},
        {"account_id": 1, "last_inbound_provider_id": 1, "assistant": 1},
    ).limit(BATCH)
    for doc in waiting:
        trigger = message_store.by_provider_id(doc["account_id"], doc.get("last_inbound_provider_id"), "in")
        if trigger is None or (doc.get("assistant") or {}).get("answered") == trigger["id"]:
            continue
        if _pending(jobs.ANSWER_CUSTOMER.job_id({"message_id": trigger["id"]})):
            continue
        jobs.enqueue(jobs.ANSWER_CUSTOMER, interaction_id=str(doc["_id"]), message_id=trigger["id"])
        count += 1
    return count
