"""Jobs that send agents' messages to customers."""

from rq import get_current_job

from app.services import delivery
from workers.context import app_context


def send_message(interaction_id, message_id, attempt=1):
    job = get_current_job()
    with app_context():
        outcome = delivery.deliver(interaction_id, message_id, attempt)
    if job:
        job.meta["outcome"] = outcome
        job.save_meta()
    return outcome


def send_read_receipt(interaction_id):
    with app_context():
        return delivery.send_read_receipt(interaction_id)
