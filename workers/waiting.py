"""Jobs for customers waiting in queues: what they are told, and offering what waited once a queue opens."""

from bson import ObjectId

from app.services.routing import opening, waiting
from workers.context import job


@job
def answer_waiting_customer(interaction_id: str, message_id: str, how: str):
    """`message_id` names the job (one per customer message); what is told depends on the interaction now."""
    return waiting.customer_wrote(ObjectId(interaction_id), how)


@job
def dispatch_opened_queues():
    return opening.dispatch_opened()
