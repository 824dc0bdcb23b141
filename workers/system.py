"""Jobs that check the job machinery itself: round trips through RQ to the database and browsers."""

import os
from datetime import datetime, timezone

from rq import get_current_job

from app.db import client_pid, get_db
from app.realtime.push import emit
from workers.context import job


@job
def announce(room, event, payload):
    """Emit `event` to a Socket.IO room from the worker (through the Redis message queue)."""
    current = get_current_job()
    emit(event, {**payload, "job_id": current.id if current else None}, room)


@job
def record_probe(probe_id):
    """Write a document the web app can read back: proves the job ran against the app's database."""
    current = get_current_job()
    get_db().job_probes.update_one(
        {"probe_id": probe_id},
        {"$set": {"job_id": current.id if current else None, "ran_at": datetime.now(timezone.utc)}},
        upsert=True,
    )
    return probe_id


@job
def describe_process():
    """The job's process and the one that opened its database client: the same, or the job uses
    a client inherited across a fork, which pymongo does not support."""
    get_db()
    return {"pid": os.getpid(), "client_pid": client_pid()}
