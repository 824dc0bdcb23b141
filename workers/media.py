"""Jobs that fetch customers' attachments from the provider into GridFS."""

from rq import get_current_job

from app.services import media
from workers.context import app_context


def fetch_inbound_media(interaction_id, message_id, attempt=1):
    job = get_current_job()
    with app_context():
        outcome = media.fetch_inbound(interaction_id, message_id, attempt)
    if job:
        job.meta["outcome"] = outcome
        job.save_meta()
    return outcome
