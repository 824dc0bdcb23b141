"""Jobs that check the job machinery itself: round trips through RQ to the database and browsers."""

from datetime import datetime, timezone

from rq import get_current_job

from app.db import get_db
from app.realtime.push import emit
from workers.context import app_context


def announce(room, event, payload):
    """Emit `event` to a Socket.IO room from the worker (through the Redis message queue)."""
    job = get_current_job()
    with app_context():
        emit(event, {**payload, "job_id": job.id if job else None}, room)


def record_probe(probe_id):
    """Write a document the web app can read back: proves the job ran against the app's database."""
    job = get_current_job()
    with app_context():
        get_db().job_probes.update_one(
            {"probe_id": probe_id},
            {"$set": {"job_id": job.id if job else None, "ran_at": datetime.now(timezone.utc)}},
            upsert=True,
        )
    return probe_id
